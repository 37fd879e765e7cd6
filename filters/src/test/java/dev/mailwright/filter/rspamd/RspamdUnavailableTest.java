package dev.mailwright.filter.rspamd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mailwright.filter.testing.FilteredMx;
import dev.mailwright.filter.testing.RecordingMetrics;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * When rspamd cannot answer: nothing listening (connection refused), or a server that takes the
 * request and never answers (the timeout). Needs no rspamd.
 */
class RspamdUnavailableTest {

    /** A loopback port nobody listens on (bound, then closed). */
    private static URI nobodyListening() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return URI.create("http://127.0.0.1:" + s.getLocalPort());
        }
    }

    @Test
    void failOpenShouldAcceptTheMessageMarkedUnscannedWhenRspamdIsDown() throws Exception {
        RecordingMetrics metrics = new RecordingMetrics();
        RspamdSettings settings = RspamdSettings.of(nobodyListening()).withFailOpen(true);
        try (FilteredMx mx = new FilteredMx(new RspamdFilter(settings, "mx.example.org", metrics))) {
            mx.send("lunch", "Shall we have lunch at noon?\n", "X-Spam-Status", "No, forged");
            assertThat(mx.newest()).contains("\r\nX-Spam-Status: Unknown, not scanned (content filter unavailable)\r\n")
                    .doesNotContain("forged").endsWith("Shall we have lunch at noon?\r\n");
            assertThat(metrics.events).containsExactly("failed rspamd unavailable");
        }
    }

    @Test
    void failClosedShouldAnswer451AndStoreNothingWhenRspamdIsDown() throws Exception {
        RecordingMetrics metrics = new RecordingMetrics();
        RspamdSettings settings = RspamdSettings.of(nobodyListening()).withFailOpen(false);
        try (FilteredMx mx = new FilteredMx(new RspamdFilter(settings, "mx.example.org", metrics))) {
            assertThatThrownBy(() -> mx.send("lunch", "Shall we have lunch at noon?\n"))
                    .hasStackTraceContaining("451 4.3.0 Content filter unavailable, try again later");
            assertThat(mx.count()).isZero();
            assertThat(metrics.events).containsExactly("failed rspamd unavailable");
        }
    }

    @Test
    void rspamdThatNeverAnswersShouldTimeOutAndFollowTheFailureRule() throws Exception {
        List<Socket> held = new ArrayList<>();
        try (ServerSocket silent = new ServerSocket(0, 10, InetAddress.getLoopbackAddress())) {
            Thread acceptor = new Thread(() -> {
                try {
                    while (true) {
                        held.add(silent.accept()); // reads nothing, answers nothing
                    }
                } catch (IOException closed) {
                    // the test is over
                }
            });
            acceptor.setDaemon(true);
            acceptor.start();
            URI url = URI.create("http://127.0.0.1:" + silent.getLocalPort());
            RecordingMetrics metrics = new RecordingMetrics();
            RspamdSettings closed = RspamdSettings.of(url).withTimeout(Duration.ofMillis(500)).withFailOpen(false);
            try (FilteredMx mx = new FilteredMx(new RspamdFilter(closed, "mx.example.org", metrics))) {
                assertThatThrownBy(() -> mx.send("lunch", "Shall we have lunch at noon?\n"))
                        .hasStackTraceContaining("451 4.3.0");
                assertThat(mx.count()).isZero();
            }
            RspamdSettings open = closed.withFailOpen(true);
            try (FilteredMx mx = new FilteredMx(new RspamdFilter(open, "mx.example.org", metrics))) {
                mx.send("lunch", "Shall we have lunch at noon?\n");
                assertThat(mx.newest()).contains("X-Spam-Status: Unknown, not scanned");
            }
            assertThat(metrics.events).containsExactly("failed rspamd timeout", "failed rspamd timeout");
        } finally {
            for (Socket s : held) {
                s.close();
            }
        }
    }

    @Test
    void messageOverTheSizeLimitShouldBeAcceptedUnscannedWithoutAskingRspamd() throws Exception {
        RecordingMetrics metrics = new RecordingMetrics();
        RspamdSettings settings = RspamdSettings.of(nobodyListening()).withFailOpen(false).withMaxSize(100);
        try (FilteredMx mx = new FilteredMx(new RspamdFilter(settings, "mx.example.org", metrics))) {
            mx.send("lunch", "Shall we have lunch at noon? ".repeat(10));
            assertThat(mx.newest()).contains("X-Spam-Status: Unknown, not scanned (too large)");
            assertThat(metrics.events).isEmpty();
        }
    }
}
