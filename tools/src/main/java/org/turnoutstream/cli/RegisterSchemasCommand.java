package org.turnoutstream.cli;

import java.io.PrintWriter;
import java.time.Duration;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.avro.Schema;
import org.turnoutstream.schemas.Topics;
import org.turnoutstream.config.RegistryCredentials;
import org.turnoutstream.registry.ConfluentRegistryClient;
import org.turnoutstream.registry.IncompatibleSchemaException;
import org.turnoutstream.registry.RegistryConfig;
import org.turnoutstream.registry.RegistryException;
import org.turnoutstream.registry.RegistryUnavailableException;
import org.turnoutstream.registry.Subjects;
import org.turnoutstream.schemas.ConnectivityEvent;
import org.turnoutstream.schemas.TurnoutReport;
import org.turnoutstream.config.Secrets;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * Registers the pipeline's value schemas before producers start, so a schema change that would
 * break the running jobs is rejected at deploy time instead of at the first record.
 */
@Command(name = "register-schemas", mixinStandardHelpOptions = true,
        description = {
            "Registers the TurnoutReport, ConnectivityEvent and BranchAlert value schemas in the schema registry",
            "(subjects " + Topics.TURNOUT + "-value, " + Topics.CONNECTIVITY + "-value and " + Topics.ALERTS + "-value),",
            "or only checks them.",
            "Exit codes: 0 ok, 1 a schema is incompatible, 2 the registry is unreachable or refused the request."})
public final class RegisterSchemasCommand implements Callable<Integer> {
    public static final int OK = 0;
    public static final int INCOMPATIBLE = 1;
    public static final int UNAVAILABLE = 2;

    @Spec
    CommandSpec spec;

    @Option(names = "--registry-url", defaultValue = "${env:TURNOUT_REGISTRY_URL}",
            description = "Base URL of the Confluent-compatible registry API (env TURNOUT_REGISTRY_URL).")
    String registryUrl;

    @Option(names = "--registry-user", defaultValue = "${env:TURNOUT_REGISTRY_USER}",
            description = "Basic-auth user (env TURNOUT_REGISTRY_USER).")
    String registryUser;

    @Option(names = "--registry-password", defaultValue = "${env:TURNOUT_REGISTRY_PASSWORD}", arity = "0..1",
            interactive = true, description = "Basic-auth password (env TURNOUT_REGISTRY_PASSWORD; alone, it is asked for).")
    String registryPassword;

    @Option(names = "--registry-password-file", paramLabel = "FILE", defaultValue = "${env:TURNOUT_REGISTRY_PASSWORD_FILE}",
            description = "File holding the basic-auth password (its first line), e.g. a mounted secret (env TURNOUT_REGISTRY_PASSWORD_FILE).")
    Path registryPasswordFile;

    @Option(names = "--compatibility", defaultValue = "BACKWARD",
            description = "Compatibility level set on each subject before registering (default: ${DEFAULT-VALUE}).")
    String compatibility;

    @Option(names = "--check-only", description = "Only check compatibility against the latest versions; register nothing.")
    boolean checkOnly;

    @Option(names = "--registry-retry-seconds", defaultValue = "30", hidden = true,
            description = "How long to retry an unreachable registry before giving up.")
    long retrySeconds;

    /** The schemas this project owns, by subject, in registration order. */
    public static Map<String, Schema> ownedSchemas() {
        return org.turnoutstream.local.LocalStack.ownedSchemas();
    }

    @Override
    public Integer call() {
        if (registryUrl == null || registryUrl.isBlank()) {
            throw new CommandLine.ParameterException(spec.commandLine(),
                    "the registry URL is required: --registry-url or env TURNOUT_REGISTRY_URL");
        }
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        String password;
        try {
            password = Secrets.inlineOrFile("--registry-password", registryPassword, registryPasswordFile);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
        RegistryConfig config = RegistryConfig.of(registryUrl).withCredentials(registryUser, password)
                .withRetryBudget(Duration.ofSeconds(retrySeconds));
        ConfluentRegistryClient client = new ConfluentRegistryClient(config);
        int exit = OK;
        try {
            RegistryCredentials.check(config); // one request; unreachable: reported below, after the client's retries
        } catch (RegistryCredentials.Refused e) {
            err.println("register-schemas: " + e.getMessage());
            return UNAVAILABLE;
        }
        try {
            for (Map.Entry<String, Schema> entry : ownedSchemas().entrySet()) {
                String subject = entry.getKey();
                Schema schema = entry.getValue();
                if (checkOnly) {
                    boolean compatible = client.isCompatible(subject, schema);
                    out.printf("%s: %s%n", subject, compatible ? "compatible" : "INCOMPATIBLE with the latest version");
                    if (!compatible) {
                        exit = INCOMPATIBLE;
                    }
                    continue;
                }
                try {
                    client.setCompatibility(subject, compatibility);
                    int id = client.register(subject, schema);
                    out.printf("%s: registered %s as id %d (compatibility %s)%n", subject, schema.getFullName(), id, compatibility);
                } catch (IncompatibleSchemaException e) {
                    err.printf("%s: INCOMPATIBLE, not registered: %s%n", subject, e.getMessage());
                    exit = INCOMPATIBLE;
                }
            }
        } catch (RegistryUnavailableException e) {
            err.println("schema registry unreachable: " + e.getMessage());
            return UNAVAILABLE;
        } catch (RegistryException e) {
            err.println("schema registry refused the request: " + e.getMessage());
            return UNAVAILABLE;
        }
        out.flush();
        return exit;
    }

    public static void main(String[] args) {
        System.exit(new CommandLine(new RegisterSchemasCommand()).execute(args));
    }
}
