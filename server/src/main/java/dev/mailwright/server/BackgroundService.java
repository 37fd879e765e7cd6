package dev.mailwright.server;

/** Something the server runs beside its listeners (the outbound queue worker). */
public interface BackgroundService {
    void start();

    /** Stops and waits for work in progress to reach a safe point. */
    void stop();
}
