package dev.mailwright.it.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mailwright.server.config.ConfigLoader;
import dev.mailwright.server.config.ServerConfig;
import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

/**
 * No Docker engine or Kubernetes runs here, so the deployment files are checked for what
 * can be checked: they parse, and every variable and port they name is one the server reads.
 */
class DeployFilesTest {

    private static final Path DEPLOY = Path.of("..", "deploy");
    private static final Pattern VARIABLE = Pattern.compile("\\bMAILWRIGHT_[A-Z0-9_]+");

    private static Set<String> knownVariables() {
        Set<String> known = new HashSet<>();
        ConfigLoader.defaults().entrySet().forEach(e -> {
            known.add(ConfigLoader.envName(e.getKey()));
            known.add(ConfigLoader.envName(e.getKey()) + "_FILE");
        });
        known.add("MAILWRIGHT_HOME");
        return known;
    }

    private static Set<Integer> defaultPorts() {
        ServerConfig c = ConfigLoader.load(Optional.empty(), Map.of());
        Set<Integer> ports = new HashSet<>();
        c.listeners().values().forEach(l -> ports.add(l.port()));
        return ports;
    }

    private static List<Object> yaml(Path file) throws IOException {
        try (Reader r = Files.newBufferedReader(file)) {
            List<Object> docs = new ArrayList<>();
            new Yaml().loadAll(r).forEach(docs::add);
            return docs;
        }
    }

    @Test
    void everyVariableTheDeployFilesSetIsOneTheServerReads() throws IOException {
        Set<String> known = knownVariables();
        List<Path> files;
        try (Stream<Path> s = Files.walk(DEPLOY)) {
            files = s.filter(Files::isRegularFile).toList();
        }
        assertThat(files).isNotEmpty();
        for (Path f : files) {
            Matcher m = VARIABLE.matcher(Files.readString(f));
            while (m.find()) {
                assertThat(known).as(f + " names " + m.group()).contains(m.group());
            }
        }
    }

    @Test
    void composeAndKubernetesFilesParseAndTargetTheServersPorts() throws IOException {
        Set<Integer> ports = defaultPorts();
        @SuppressWarnings("unchecked")
        Map<String, Object> compose = (Map<String, Object>) yaml(DEPLOY.resolve("compose.yaml")).get(0);
        @SuppressWarnings("unchecked")
        Map<String, Object> mw = (Map<String, Object>) ((Map<String, Object>) compose.get("services")).get("mailwright");
        @SuppressWarnings("unchecked")
        List<String> published = (List<String>) mw.get("ports");
        for (String p : published) {
            int container = Integer.parseInt(p.substring(p.lastIndexOf(':') + 1));
            assertThat(ports).as("compose port " + p).contains(container);
        }
        // hardened: read-only root, no capabilities, no privilege gain, the password from a file
        assertThat(mw.get("read_only")).isEqualTo(true);
        assertThat((List<String>) mw.get("cap_drop")).containsExactly("ALL");
        assertThat((List<String>) mw.get("security_opt")).contains("no-new-privileges:true");
        assertThat(new Yaml().dump(mw.get("environment"))).contains("MAILWRIGHT_DATABASE_PASSWORD_FILE")
                .doesNotContain("MAILWRIGHT_DATABASE_PASSWORD:");
        String k8sDeployment = Files.readString(DEPLOY.resolve("kubernetes/deployment.yaml"));
        assertThat(k8sDeployment).contains("MAILWRIGHT_DATABASE_PASSWORD_FILE").doesNotContain("name: MAILWRIGHT_DATABASE_PASSWORD\n")
                .contains("readOnlyRootFilesystem: true").contains("allowPrivilegeEscalation: false");
        assertThat(Files.readString(DEPLOY.resolve("kubernetes/configmap.yaml"))).contains("sslmode=verify-full");

        int containerPorts = 0;
        try (Stream<Path> s = Files.list(DEPLOY.resolve("kubernetes"))) {
            for (Path f : s.filter(x -> x.toString().endsWith(".yaml")).toList()) {
                for (Object doc : yaml(f)) {
                    assertThat(doc).as(f.toString()).isInstanceOf(Map.class);
                    String text = new Yaml().dump(doc);
                    Matcher m = Pattern.compile("containerPort: (\\d+)").matcher(text);
                    while (m.find()) {
                        containerPorts++;
                        assertThat(ports).as(f + " containerPort " + m.group(1)).contains(Integer.parseInt(m.group(1)));
                    }
                }
            }
        }
        assertThat(containerPorts).isEqualTo(ports.size());
        String deployment = Files.readString(DEPLOY.resolve("kubernetes/deployment.yaml"));
        assertThat(deployment).contains("replicas: 2").contains("/readyz").contains("/healthz");
        assertThat(Files.readString(DEPLOY.resolve("Dockerfile"))).contains("USER mailwright").contains("/readyz")
                .contains("VOLUME");
    }

    @Test
    @SuppressWarnings("unchecked")
    void theNetworkPolicyOpensTheMailPortsToAllAndTheOpsPortToMonitoringOnly() throws Exception {
        Map<String, Object> policy = (Map<String, Object>) yaml(DEPLOY.resolve("kubernetes/networkpolicy.yaml")).get(0);
        Map<String, Object> spec = (Map<String, Object>) policy.get("spec");
        assertThat(new Yaml().dump(spec.get("podSelector"))).contains("app.kubernetes.io/name: mailwright");
        assertThat(Files.readString(DEPLOY.resolve("kubernetes/kustomization.yaml"))).contains("networkpolicy.yaml");
        boolean opsRestricted = false;
        for (Map<String, Object> rule : (List<Map<String, Object>>) spec.get("ingress")) {
            List<Integer> ports = ((List<Map<String, Object>>) rule.get("ports")).stream()
                    .map(p -> (Integer) p.get("port")).toList();
            if (rule.get("from") == null) {
                assertThat(ports).as("open to everyone").containsExactlyInAnyOrder(2525, 2587, 2465, 2110, 2995);
            } else {
                assertThat(ports).containsExactly(9465);
                opsRestricted = true;
            }
        }
        assertThat(opsRestricted).isTrue();
        assertThat(new Yaml().dump(spec.get("egress"))).contains("port: 5432").contains("port: 25").contains("port: 53");
    }

    @Test
    void systemdUnitPassesSystemdAnalyzeWhereAvailable() throws Exception {
        Path unit = DEPLOY.resolve("systemd/mailwright.service").toAbsolutePath();
        String text = Files.readString(unit);
        assertThat(text).contains("AmbientCapabilities=CAP_NET_BIND_SERVICE").contains("ProtectSystem=strict")
                .contains("User=mailwright");
        Path analyze = Path.of("/usr/bin/systemd-analyze");
        if (!Files.isExecutable(analyze)) {
            return; // checked above by content; the tool is not on this machine
        }
        Process p = new ProcessBuilder(analyze.toString(), "verify", unit.toString()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        // verify reports a missing ExecStart binary on machines without /usr/bin/java; anything else is a unit error
        String errors = out.lines().filter(l -> !l.contains("/usr/bin/java")).filter(l -> !l.isBlank())
                .reduce("", (a, b) -> a + b + "\n");
        assertThat(errors).as(out).isEmpty();
    }
}
