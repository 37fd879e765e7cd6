package dev.mailwright.dns;

import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.function.Function;
import java.util.function.Supplier;
import org.xbill.DNS.AAAARecord;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.Cache;
import org.xbill.DNS.DClass;
import org.xbill.DNS.EDNSOption;
import org.xbill.DNS.ExtendedResolver;
import org.xbill.DNS.Lookup;
import org.xbill.DNS.MXRecord;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.PTRRecord;
import org.xbill.DNS.Record;
import org.xbill.DNS.Resolver;
import org.xbill.DNS.ReverseMap;
import org.xbill.DNS.TSIG;
import org.xbill.DNS.TXTRecord;
import org.xbill.DNS.TextParseException;
import org.xbill.DNS.Type;

/**
 * {@link DnsLookup} with dnsjava, the one DNS client of Mailwright (mail authentication, outbound
 * MX/MTA-STS/TLS-RPT lookups, the admin {@code check}): the system's resolvers (resolv.conf) or a
 * given one, answers cached for their TTL in a bounded dnsjava {@link Cache} of this instance
 * (negative answers for the SOA's minimum, RFC 2308; temporary failures are not cached).
 */
public final class DnsjavaLookup implements DnsLookup {

    private final Supplier<Resolver> resolver;
    private final Cache cache;

    /**
     * The system's resolvers, each query given up after {@code timeout}. They are read on the first
     * query, not here: setting them up is a noticeable part of a short admin command that asks no DNS.
     */
    public DnsjavaLookup(Duration timeout) {
        this(new SystemResolver(timeout), 10_000);
    }

    /** Asks {@code resolver}, caching up to 10,000 names. */
    public DnsjavaLookup(Resolver resolver) {
        this(resolver, 10_000);
    }

    /** Asks {@code resolver}, caching up to {@code cacheEntries} names (0: every query goes to the resolver). */
    public DnsjavaLookup(Resolver resolver, int cacheEntries) {
        this(() -> resolver, cacheEntries);
    }

    /**
     * A resolver whose answers are read on the thread that received them rather than on the JDK's
     * default executor. dnsjava's {@code send} continues each query with
     * {@code ForkJoinPool.commonPool()}; where that pool has fewer than two threads (machines of one or
     * two cores, the usual small server) {@code CompletableFuture} runs such work on a new thread per
     * task: a thread started and ended for every query that missed the cache, most of a query's CPU
     * time (mail-auth/bench/README.md). Reading an answer does not block, so it is done where it
     * arrives (dnsjava's selector thread); our thread waits for the result as before.
     */
    static Resolver readingAnswersWhereTheyArrive(Resolver resolver) {
        return new Resolver() {
            @Override
            public CompletionStage<Message> sendAsync(Message query) {
                return resolver.sendAsync(query, Runnable::run);
            }

            @Override
            public CompletionStage<Message> sendAsync(Message query, Executor executor) {
                return resolver.sendAsync(query, executor);
            }

            @Override
            public Duration getTimeout() {
                return resolver.getTimeout();
            }

            @Override
            public void setTimeout(Duration timeout) {
                resolver.setTimeout(timeout);
            }

            @Override
            public void setPort(int port) {
                resolver.setPort(port);
            }

            @Override
            public void setTCP(boolean flag) {
                resolver.setTCP(flag);
            }

            @Override
            public void setIgnoreTruncation(boolean flag) {
                resolver.setIgnoreTruncation(flag);
            }

            @Override
            public void setEDNS(int version, int payloadSize, int flags, List<EDNSOption> options) {
                resolver.setEDNS(version, payloadSize, flags, options);
            }

            @Override
            public void setTSIGKey(TSIG key) {
                resolver.setTSIGKey(key);
            }
        };
    }

    private DnsjavaLookup(Supplier<Resolver> resolver, int cacheEntries) {
        if (cacheEntries < 0) {
            throw new IllegalArgumentException("cache entries " + cacheEntries);
        }
        Supplier<Resolver> given = resolver;
        this.resolver = new Supplier<>() {
            private volatile Resolver wrapped;

            @Override
            public Resolver get() {
                Resolver r = wrapped;
                if (r == null) {
                    r = readingAnswersWhereTheyArrive(given.get()); // the same resolver each time: a race makes two wrappers of it
                    wrapped = r;
                }
                return r;
            }
        };
        this.cache = new Cache(DClass.IN);
        cache.setMaxEntries(cacheEntries);
    }

    /** The system's resolvers, read on the first {@link #get}. */
    private static final class SystemResolver implements Supplier<Resolver> {
        private final Duration timeout;
        private volatile Resolver resolver;

        SystemResolver(Duration timeout) {
            this.timeout = timeout;
        }

        @Override
        public Resolver get() {
            Resolver r = resolver;
            if (r == null) {
                synchronized (this) {
                    if (resolver == null) {
                        ExtendedResolver system = new ExtendedResolver();
                        system.setTimeout(timeout);
                        resolver = system;
                    }
                    r = resolver;
                }
            }
            return r;
        }
    }

    @Override
    public DnsAnswer<String> txt(String name) {
        return query(name, Type.TXT, r -> r instanceof TXTRecord t ? String.join("", t.getStrings()) : null);
    }

    @Override
    public DnsAnswer<InetAddress> a(String name) {
        return query(name, Type.A, r -> r instanceof ARecord a ? a.getAddress() : null);
    }

    @Override
    public DnsAnswer<InetAddress> aaaa(String name) {
        return query(name, Type.AAAA, r -> r instanceof AAAARecord a ? a.getAddress() : null);
    }

    @Override
    public DnsAnswer<MxRecord> mx(String name) {
        return query(name, Type.MX, r -> r instanceof MXRecord m ? new MxRecord(m.getPriority(), host(m.getTarget())) : null);
    }

    @Override
    public DnsAnswer<String> ptr(InetAddress address) {
        return query(ReverseMap.fromAddress(address), Type.PTR, r -> r instanceof PTRRecord p ? host(p.getTarget()) : null);
    }

    private <T> DnsAnswer<T> query(String name, int type, Function<Record, T> read) {
        Name n;
        try {
            n = Name.fromString(name.endsWith(".") ? name : name + ".");
        } catch (TextParseException e) {
            return DnsAnswer.nxDomain(); // no such name can exist (a label too long, an empty label)
        }
        return query(n, type, read);
    }

    private <T> DnsAnswer<T> query(Name name, int type, Function<Record, T> read) {
        Lookup lookup = new Lookup(name, type);
        lookup.setResolver(resolver.get());
        lookup.setCache(cache);
        lookup.setSearchPath((Name[]) null);
        Record[] records = lookup.run();
        switch (lookup.getResult()) {
            case Lookup.SUCCESSFUL:
                List<T> out = new ArrayList<>();
                for (Record r : records) {
                    T t = read.apply(r);
                    if (t != null) {
                        out.add(t);
                    }
                }
                return DnsAnswer.found(out);
            case Lookup.HOST_NOT_FOUND:
                return DnsAnswer.nxDomain();
            case Lookup.TYPE_NOT_FOUND:
                return DnsAnswer.noData();
            default:
                return DnsAnswer.tempError(name + " " + Type.string(type) + ": " + lookup.getErrorString());
        }
    }

    private static String host(Name name) {
        String s = name.toString(true);
        return s.equals(".") ? "" : s;
    }
}
