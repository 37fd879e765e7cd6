package dev.mailwright.pop3.support;

import dev.mailwright.store.Accounts;
import dev.mailwright.store.ForwardingMailStore;
import dev.mailwright.store.MailStore;
import dev.mailwright.store.Maildrop;
import dev.mailwright.store.Maildrops;
import dev.mailwright.store.StoreException;
import dev.mailwright.store.StoreUnavailableException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.sql.SQLTransientConnectionException;

/** Wraps a store; while {@link #outage} is on every call throws as a database outage would. */
public final class FlakyMailStore extends ForwardingMailStore {

    public enum Mode { UP, TEMPORARY_OUTAGE, PERMANENT_ERROR }

    private volatile Mode mode = Mode.UP;
    private final java.util.Set<String> callers = java.util.concurrent.ConcurrentHashMap.newKeySet();

    public FlakyMailStore(MailStore delegate) {
        super(delegate);
    }

    public void mode(Mode m) {
        mode = m;
    }

    /** The names of the threads that called the store (accounts, maildrops, a maildrop) so far. */
    public java.util.Set<String> callers() {
        return java.util.Set.copyOf(callers);
    }

    private void check() {
        switch (mode) {
            case TEMPORARY_OUTAGE -> throw new StoreUnavailableException("connection refused",
                    new SQLTransientConnectionException("Connection to localhost:5432 refused"));
            case PERMANENT_ERROR -> throw new StoreException("relation \"mailbox\" does not exist");
            default -> {
            }
        }
    }

    @SuppressWarnings("unchecked")
    private <T> T wrap(Class<T> type, T target) {
        return (T) Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type}, (p, m, args) -> {
            callers.add(Thread.currentThread().getName());
            if (!m.getName().equals("close")) {
                check();
            }
            try {
                Object r = m.invoke(target, args);
                return r instanceof Maildrop md ? wrap(Maildrop.class, md) : r;
            } catch (InvocationTargetException e) {
                throw e.getCause();
            }
        });
    }

    @Override
    public Accounts accounts() {
        return wrap(Accounts.class, delegate().accounts());
    }

    @Override
    public Maildrops maildrops() {
        return wrap(Maildrops.class, delegate().maildrops());
    }
}
