package dev.mailwright.dns;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicInteger;
import org.xbill.DNS.DClass;
import org.xbill.DNS.EDNSOption;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Resolver;
import org.xbill.DNS.SOARecord;
import org.xbill.DNS.Section;
import org.xbill.DNS.TSIG;

/**
 * A dnsjava {@link Resolver} answering from records in memory, for tests of what {@link DnsjavaLookup}
 * makes of a resolver's answers: found, NXDOMAIN (or everything NXDOMAIN), no data (with an SOA,
 * so the negative answer may be cached), SERVFAIL; counts the queries that reach it.
 */
public final class TableResolver implements Resolver {
    private final Map<Name, List<Record>> records = new HashMap<>();
    private final Map<Name, Record> soa = new HashMap<>();
    private final AtomicInteger queries = new AtomicInteger();
    public volatile boolean nxdomain;
    public volatile boolean servfail;

    public TableResolver add(Record r) {
        records.computeIfAbsent(r.getName(), k -> new ArrayList<>()).add(r);
        return this;
    }

    /** Queries answered so far. */
    public int queries() {
        return queries.get();
    }

    public void soa(Name name) throws Exception {
        soa.put(name, new SOARecord(name, DClass.IN, 300, Name.fromString("ns." + name), Name.fromString("admin."
                + name), 1, 3600, 600, 86400, 300));
    }

    @Override
    public Message send(Message query) {
        queries.incrementAndGet();
        Message response = new Message(query.getHeader().getID());
        response.getHeader().setFlag(Flags.QR);
        response.getHeader().setFlag(Flags.RA);
        Record question = query.getQuestion();
        response.addRecord(question, Section.QUESTION);
        if (servfail) {
            response.getHeader().setRcode(Rcode.SERVFAIL);
            return response;
        }
        if (nxdomain) {
            response.getHeader().setRcode(Rcode.NXDOMAIN);
            return response;
        }
        boolean any = false;
        for (Record r : records.getOrDefault(question.getName(), List.of())) {
            if (r.getType() == question.getType()) {
                response.addRecord(r, Section.ANSWER);
                any = true;
            }
        }
        if (!any) {
            Record s = soa.get(question.getName());
            if (s == null && !records.containsKey(question.getName())) {
                try {
                    s = new SOARecord(question.getName(), DClass.IN, 300, Name.fromString("ns.test."),
                            Name.fromString("admin.test."), 1, 3600, 600, 86400, 300);
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }
            if (s != null) {
                response.addRecord(s, Section.AUTHORITY);
            }
        }
        return response;
    }

    @Override
    public CompletionStage<Message> sendAsync(Message query) {
        return CompletableFuture.completedFuture(send(query));
    }

    @Override
    public CompletionStage<Message> sendAsync(Message query, Executor executor) {
        return CompletableFuture.completedFuture(send(query));
    }

    @Override
    public void setPort(int port) {
    }

    @Override
    public void setTCP(boolean flag) {
    }

    @Override
    public void setIgnoreTruncation(boolean flag) {
    }

    @Override
    public void setEDNS(int version, int payloadSize, int flags, List<EDNSOption> options) {
    }

    @Override
    public void setTSIGKey(TSIG key) {
    }

    @Override
    public void setTimeout(Duration timeout) {
    }
}
