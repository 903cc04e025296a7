package org.turnoutstream.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.turnoutstream.registry.ConfluentRegistryClient;
import org.turnoutstream.registry.RegistryConfig;
import org.turnoutstream.local.SchemaRegistryServer;

/**
 * A real schema registry (Apicurio, in memory, Confluent API) for integration tests. Register
 * with {@code @RegisterExtension static final SchemaRegistryExtension REGISTRY = new SchemaRegistryExtension();}.
 * Started once per test JVM on first use and shared by all test classes, so tests that change a
 * subject's versions or compatibility should reset it first ({@link #resetSubject}).
 */
public final class SchemaRegistryExtension implements BeforeAllCallback {
    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(SchemaRegistryExtension.class);

    private static volatile Shared shared;

    @Override
    public void beforeAll(ExtensionContext context) {
        context.getRoot().getStore(NAMESPACE).getOrComputeIfAbsent(Shared.class, k -> shared(), Shared.class);
    }

    /** Base URL of the Confluent-compatible API. */
    public String url() {
        return shared().server.url();
    }

    public RegistryConfig config() {
        return RegistryConfig.of(url());
    }

    /** A fresh client (with an empty schema cache). */
    public ConfluentRegistryClient client() {
        return new ConfluentRegistryClient(config());
    }

    public SchemaRegistryServer server() {
        return shared().server;
    }

    /** Deletes every version of the subject, so a test starts from an empty subject. */
    public void resetSubject(String subject) {
        client().deleteSubject(subject);
    }

    private static Shared shared() {
        Shared current = shared;
        if (current == null) {
            synchronized (SchemaRegistryExtension.class) {
                if (shared == null) {
                    shared = Shared.start();
                }
                current = shared;
            }
        }
        return current;
    }

    private static final class Shared implements AutoCloseable {
        final Path dir;
        final SchemaRegistryServer server;
        private boolean closed;

        private Shared(Path dir, SchemaRegistryServer server) {
            this.dir = dir;
            this.server = server;
        }

        static Shared start() {
            try {
                Path dir = TempDirs.create("turnout-registry-");
                Shared shared = new Shared(dir, SchemaRegistryServer.start(dir, 0));
                Runtime.getRuntime().addShutdownHook(new Thread(shared::close, "registry-extension-shutdown"));
                return shared;
            } catch (IOException e) {
                throw new UncheckedIOException("cannot start the test schema registry", e);
            }
        }

        @Override
        public synchronized void close() {
            if (closed) {
                return;
            }
            closed = true;
            synchronized (SchemaRegistryExtension.class) {
                if (SchemaRegistryExtension.shared == this) {
                    SchemaRegistryExtension.shared = null;
                }
            }
            server.close();
            TempDirs.deleteQuietly(dir);
        }
    }
}
