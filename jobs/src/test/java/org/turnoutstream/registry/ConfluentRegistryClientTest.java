package org.turnoutstream.registry;
import org.turnoutstream.events.ConfluentSchemaCoder;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Optional;
import org.apache.avro.Schema;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.turnoutstream.local.FreePorts;
import org.turnoutstream.testing.SchemaRegistryExtension;

class ConfluentRegistryClientTest {
    @RegisterExtension
    static final SchemaRegistryExtension REGISTRY = new SchemaRegistryExtension();

    private static Schema tally(String... extraFields) {
        StringBuilder fields = new StringBuilder("{\"name\":\"branchId\",\"type\":\"string\"},{\"name\":\"ballots\",\"type\":\"long\"}");
        for (String f : extraFields) {
            fields.append(',').append(f);
        }
        return new Schema.Parser().parse("{\"type\":\"record\",\"name\":\"BranchTally\",\"namespace\":\"test.client\",\"fields\":[" + fields + "]}");
    }

    @Test
    void registersFetchesAndLooksUp() {
        String subject = "client-it.karaj-0017.tally-value";
        REGISTRY.resetSubject(subject);
        ConfluentRegistryClient client = REGISTRY.client();
        Schema schema = tally();

        assertEquals(Optional.empty(), client.lookup(subject, schema), "unknown subject");
        int id = client.register(subject, schema);
        assertEquals(id, client.register(subject, schema), "register is idempotent");
        assertEquals(Optional.of(id), client.lookup(subject, schema));
        assertEquals(Optional.empty(), client.lookup(subject, tally("{\"name\":\"note\",\"type\":[\"null\",\"string\"],\"default\":null}")),
                "schema never registered under the subject");

        Schema fetched = client.schemaById(id);
        assertEquals(schema, fetched);
        assertSame(fetched, client.schemaById(id), "second fetch served from the cache");
        assertEquals(Optional.of(schema), client.latestSchema(subject));
    }

    @Test
    void writersRacingToCreateASubjectAllGetTheSameId() throws Exception {
        Schema schema = tally();
        for (int round = 0; round < 3; round++) {
            String subject = "client-it.race" + round + "-value";
            REGISTRY.resetSubject(subject);
            java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(4);
            try {
                java.util.List<java.util.concurrent.Future<Integer>> ids = new java.util.ArrayList<>();
                java.util.concurrent.CountDownLatch start = new java.util.concurrent.CountDownLatch(1);
                for (int i = 0; i < 4; i++) {
                    ConfluentRegistryClient client = new ConfluentRegistryClient(REGISTRY.config());
                    ids.add(pool.submit(() -> { start.await(); return client.register(subject, schema); }));
                }
                start.countDown();
                java.util.Set<Integer> distinct = new java.util.HashSet<>();
                for (java.util.concurrent.Future<Integer> id : ids) distinct.add(id.get());
                assertEquals(1, distinct.size(), "one id for all writers: " + distinct);
            } finally {
                pool.shutdownNow();
            }
        }
    }

    @Test
    void enforcesBackwardCompatibility() {
        String subject = "client-it.karaj-0017.compat-value";
        REGISTRY.resetSubject(subject);
        ConfluentRegistryClient client = REGISTRY.client();
        Schema v1 = tally();
        Schema optionalAdded = tally("{\"name\":\"operatorNote\",\"type\":[\"null\",\"string\"],\"default\":null}");
        Schema requiredAdded = tally("{\"name\":\"pollingStation\",\"type\":\"string\"}");

        assertTrue(client.isCompatible(subject, requiredAdded), "anything is compatible with a subject that does not exist");
        client.setCompatibility(subject, "NONE"); // accepted even before the subject exists
        client.setCompatibility(subject, "BACKWARD");
        int v1Id = client.register(subject, v1);

        assertTrue(client.isCompatible(subject, optionalAdded));
        assertFalse(client.isCompatible(subject, requiredAdded), "a new field without default cannot read old data");

        IncompatibleSchemaException rejected = assertThrows(IncompatibleSchemaException.class,
                () -> client.register(subject, requiredAdded));
        assertEquals(409, rejected.httpStatus());
        assertEquals(subject, rejected.subject());
        assertTrue(rejected.getMessage().contains("pollingStation"), rejected.getMessage());

        int v2Id = client.register(subject, optionalAdded);
        assertNotEquals(v1Id, v2Id);
        assertEquals(Optional.of(optionalAdded), client.latestSchema(subject));
    }

    @Test
    void unknownSchemaIdIsItsOwnError() {
        UnknownSchemaIdException e = assertThrows(UnknownSchemaIdException.class,
                () -> REGISTRY.client().schemaById(987_654_321));
        assertEquals(987_654_321, e.schemaId());
        assertEquals(404, e.httpStatus());
    }

    @Test
    void unreachableRegistryIsRetriedThenReportedAsUnavailable() {
        RegistryConfig nowhere = RegistryConfig.of("http://127.0.0.1:" + FreePorts.pick() + "/apis/ccompat/v7")
                .withRetryBudget(Duration.ofMillis(700));
        ConfluentRegistryClient client = new ConfluentRegistryClient(nowhere);
        long start = System.nanoTime();
        RegistryUnavailableException e = assertThrows(RegistryUnavailableException.class, () -> client.schemaById(1));
        long tookMillis = (System.nanoTime() - start) / 1_000_000;
        assertTrue(tookMillis >= 600 && tookMillis < 10_000, "retried for about the budget, took " + tookMillis + " ms");
        assertTrue(e.getMessage().contains("attempt"), e.getMessage());
    }

    @Test
    void credentialsNeverShowInToString() {
        RegistryConfig config = RegistryConfig.of(REGISTRY.url() + "/").withCredentials("tally-writer", "s3cret-ballot");
        assertEquals(REGISTRY.url(), config.url(), "trailing slash dropped");
        assertFalse(config.toString().contains("s3cret-ballot"), config.toString());
        assertTrue(config.toString().contains("tally-writer"), config.toString());
        assertFalse(new ConfluentRegistryClient(config).toString().contains("s3cret-ballot"));
        assertFalse(ConfluentSchemaCoder.provider(config, "x-value").toString().contains("s3cret-ballot"));
    }
}
