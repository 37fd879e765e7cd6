package dev.mailwright.server;

import dev.mailwright.server.config.ServerConfig;
import dev.mailwright.server.ops.Logging;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import sun.misc.Signal;

/** {@code mailwright serve}: starts every listener and runs until SIGTERM or SIGINT, then exits 0. */
@Command(name = "serve", mixinStandardHelpOptions = true,
        description = {"Runs the mail server: SMTP, submission, POP3 and the metrics port.",
                "Without database.url it runs on an embedded PostgreSQL under the data directory.",
                "--config FILE (or MAILWRIGHT_CONFIG) names the configuration file."})
final class ServeCommand implements Callable<Integer> {

    private final ServerConfig cfg;

    ServeCommand(ServerConfig cfg) {
        this.cfg = cfg;
    }

    @Override
    public Integer call() throws Exception {
        Logging.configure(cfg.logging().format(), cfg.logging().level());
        MailwrightServer server = MailwrightServer.start(cfg);
        // SIGTERM/SIGINT end the wait and the server stops gracefully; serve then exits 0
        // (a plain shutdown hook would leave the JVM exiting with 143). The hook covers other exits.
        CountDownLatch stop = new CountDownLatch(1);
        Signal.handle(new Signal("TERM"), s -> stop.countDown());
        Signal.handle(new Signal("INT"), s -> stop.countDown());
        Runtime.getRuntime().addShutdownHook(new Thread(server::close, "mailwright-shutdown"));
        stop.await();
        server.close();
        return 0;
    }
}
