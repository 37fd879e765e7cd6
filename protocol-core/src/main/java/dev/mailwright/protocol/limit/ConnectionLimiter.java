package dev.mailwright.protocol.limit;

import java.net.InetAddress;
import java.util.HashMap;
import java.util.Map;

/** Counts open connections in total and per client address. Thread-safe. */
public final class ConnectionLimiter {

    private final int maxTotal;
    private final int maxPerAddress;
    private final Map<InetAddress, Integer> perAddress = new HashMap<>();
    private int total;

    public ConnectionLimiter(int maxTotal, int maxPerAddress) {
        this.maxTotal = maxTotal;
        this.maxPerAddress = maxPerAddress;
    }

    /** Takes a slot; false (and nothing taken) when a limit is reached. */
    public synchronized boolean tryAcquire(InetAddress client) {
        int mine = perAddress.getOrDefault(client, 0);
        if (total >= maxTotal || mine >= maxPerAddress) {
            return false;
        }
        total++;
        perAddress.put(client, mine + 1);
        return true;
    }

    /** Gives back a slot taken by {@link #tryAcquire}. */
    public synchronized void release(InetAddress client) {
        Integer mine = perAddress.get(client);
        if (mine == null) {
            return;
        }
        total--;
        if (mine <= 1) {
            perAddress.remove(client);
        } else {
            perAddress.put(client, mine - 1);
        }
    }

    public synchronized int open() {
        return total;
    }

    public synchronized int open(InetAddress client) {
        return perAddress.getOrDefault(client, 0);
    }
}
