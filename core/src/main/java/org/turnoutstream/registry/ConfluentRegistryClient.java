package org.turnoutstream.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.Schema;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.turnoutstream.health.DependencyHealth;

/**
 * A small client for the Confluent Schema Registry REST API (also served by Apicurio's ccompat
 * API). Thread-safe. Transient failures are retried with exponential backoff within the
 * config's retry budget, then surface as {@link RegistryUnavailableException}.
 */
public final class ConfluentRegistryClient {
    private static final Logger LOG = LoggerFactory.getLogger(ConfluentRegistryClient.class);
    private static final String CONTENT_TYPE = "application/vnd.schemaregistry.v1+json";
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(10);
    private static final long FIRST_BACKOFF_MILLIS = 100;
    private static final long MAX_BACKOFF_MILLIS = 5_000;

    private static final int SUBJECT_NOT_FOUND = 40401;
    private static final int VERSION_NOT_FOUND = 40402;
    private static final int SCHEMA_NOT_FOUND = 40403;

    private final RegistryConfig config;
    private final HttpClient http;
    private final ObjectMapper json = new ObjectMapper();
    private final String authorization;
    // ids are immutable in the registry, so a schema fetched once is valid for the client's life
    private final Map<Integer, Schema> schemasById = new ConcurrentHashMap<>();

    public ConfluentRegistryClient(RegistryConfig config) {
        this.config = config;
        this.http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        this.authorization = config.user()
                .map(u -> "Basic " + Base64.getEncoder().encodeToString(
                        (u + ":" + config.password().orElse("")).getBytes(StandardCharsets.UTF_8)))
                .orElse(null);
    }

    public RegistryConfig config() {
        return config;
    }

    /** Registers the schema under the subject (idempotent) and returns its id. */
    public int register(String subject, Schema schema) {
        Answer answer = send("POST", "/subjects/" + encode(subject) + "/versions", schemaBody(schema));
        if (answer.status == 409) {
            // Writers racing to create a new subject: the registry (Apicurio) refuses all but the first with 409
            // "already exists". If this very schema is now registered, that is the id; else it is incompatible.
            Optional<Integer> raced = lookup(subject, schema);
            if (raced.isPresent()) return raced.get();
            throw new IncompatibleSchemaException(subject, answer.message(), answer.status, answer.errorCode());
        }
        requireOk(answer, "register schema under " + subject);
        return answer.body.path("id").asInt();
    }

    /**
     * Whether the registry takes this client's credentials (or none): lists the subjects once. HTTP 401 or 403 is a
     * {@link RegistryCredentialsRefusedException} (permanent: never retried); an unreachable registry a
     * {@link RegistryUnavailableException}.
     */
    public void checkCredentials() {
        // one request, outside the retries and the outage report of send(): an unreachable registry is the decoders' to report
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(config.url() + "/subjects")).timeout(REQUEST_TIMEOUT)
                .header("Accept", CONTENT_TYPE + ", application/json").GET();
        if (authorization != null) request.header("Authorization", authorization);
        HttpResponse<String> response;
        try {
            response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw RegistryUnavailableException.quiet("schema registry " + config.url() + " unreachable: " + e.getClass().getSimpleName(), -1, -1);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RegistryUnavailableException("interrupted while calling the registry at " + config.url(), e);
        }
        Answer answer = new Answer(response.statusCode(), parse(response.body()));
        if (answer.status == 401 || answer.status == 403) {
            throw new RegistryCredentialsRefusedException("schema registry at " + config.url() + " refused the credentials of "
                    + config.user().map(u -> "user '" + u + "'").orElse("(no user)") + " (HTTP " + answer.status + ")", answer.status, answer.errorCode());
        }
        requireOk(answer, "list subjects");
    }

    /** The schema with this id; fetched once, then served from memory. */
    public Schema schemaById(int id) {
        Schema cached = schemasById.get(id);
        if (cached != null) {
            return cached;
        }
        Answer answer = send("GET", "/schemas/ids/" + id, null);
        if (answer.status == 404) {
            throw new UnknownSchemaIdException(id, "unknown schema id " + id, answer.status, answer.errorCode());
        }
        requireOk(answer, "fetch schema id " + id);
        Schema schema = new Schema.Parser().parse(answer.body.path("schema").asText());
        Schema raced = schemasById.putIfAbsent(id, schema);
        return raced != null ? raced : schema;
    }

    /** The id of this exact schema under the subject, empty if the subject or the schema is unknown. */
    public Optional<Integer> lookup(String subject, Schema schema) {
        Answer answer = send("POST", "/subjects/" + encode(subject), schemaBody(schema));
        if (answer.status == 404) {
            return Optional.empty();
        }
        requireOk(answer, "look up schema under " + subject);
        return Optional.of(answer.body.path("id").asInt());
    }

    /**
     * Whether the schema may be registered under the subject according to its compatibility
     * rule; true if the subject has no versions yet.
     */
    public boolean isCompatible(String subject, Schema schema) {
        Answer answer = send("POST", "/compatibility/subjects/" + encode(subject) + "/versions/latest", schemaBody(schema));
        if (answer.status == 404 && (answer.errorCode() == SUBJECT_NOT_FOUND || answer.errorCode() == VERSION_NOT_FOUND)) {
            return true;
        }
        if (answer.status == 409) {
            return false;
        }
        requireOk(answer, "check compatibility under " + subject);
        return answer.body.path("is_compatible").asBoolean(false);
    }

    /**
     * Sets the compatibility level (BACKWARD, FORWARD, FULL, NONE, ..._TRANSITIVE).
     *
     * @param subject the subject, or null for the registry-wide default
     */
    public void setCompatibility(String subject, String level) {
        ObjectNode body = json.createObjectNode().put("compatibility", level);
        String path = subject == null ? "/config" : "/config/" + encode(subject);
        Answer answer = send("PUT", path, body);
        if (subject != null && "NONE".equalsIgnoreCase(level) && answer.status == 404 && answer.errorCode() == SUBJECT_NOT_FOUND) {
            // Apicurio stores NONE by deleting the subject's rule, which fails before the subject exists;
            // there is no rule to relax then, so treat it as done
            LOG.debug("compatibility NONE on {} skipped: subject has no versions yet", subject);
            return;
        }
        requireOk(answer, "set compatibility " + level + " on " + (subject == null ? "(global)" : subject));
    }

    /** Deletes the subject and all its versions, soft then permanently; false if it did not exist. */
    public boolean deleteSubject(String subject) {
        Answer soft = send("DELETE", "/subjects/" + encode(subject), null);
        if (soft.status == 404) {
            return false;
        }
        requireOk(soft, "delete subject " + subject);
        Answer hard = send("DELETE", "/subjects/" + encode(subject) + "?permanent=true", null);
        if (hard.status != 404) {
            requireOk(hard, "permanently delete subject " + subject);
        }
        return true;
    }

    /** The schema of the subject's newest version, empty if the subject does not exist. */
    public Optional<Schema> latestSchema(String subject) {
        Answer answer = send("GET", "/subjects/" + encode(subject) + "/versions/latest", null);
        if (answer.status == 404) {
            return Optional.empty();
        }
        requireOk(answer, "fetch latest version of " + subject);
        return Optional.of(new Schema.Parser().parse(answer.body.path("schema").asText()));
    }

    @Override
    public String toString() {
        return "ConfluentRegistryClient[" + config + "]";
    }

    private ObjectNode schemaBody(Schema schema) {
        return json.createObjectNode().put("schema", schema.toString());
    }

    private static String encode(String segment) {
        return URLEncoder.encode(segment, StandardCharsets.UTF_8).replace("+", "%20");
    }

    private void requireOk(Answer answer, String what) {
        if (answer.status / 100 != 2) {
            throw new RegistryException("registry refused to " + what + ": HTTP " + answer.status + " " + answer.message(),
                    answer.status, answer.errorCode());
        }
    }

    /** Sends one request, retrying transient failures within the retry budget. */
    private Answer send(String method, String path, JsonNode body) {
        URI uri = URI.create(config.url() + path);
        HttpRequest.Builder request = HttpRequest.newBuilder(uri)
                .timeout(REQUEST_TIMEOUT)
                .header("Accept", CONTENT_TYPE + ", application/json");
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        if (body != null) {
            request.header("Content-Type", CONTENT_TYPE)
                    .method(method, HttpRequest.BodyPublishers.ofString(body.toString(), StandardCharsets.UTF_8));
        } else {
            request.method(method, HttpRequest.BodyPublishers.noBody());
        }
        HttpRequest built = request.build();

        long deadline = System.nanoTime() + config.retryBudget().toNanos();
        long backoff = FIRST_BACKOFF_MILLIS;
        int attempt = 0;
        while (true) {
            attempt++;
            String failure;
            Throwable cause = null;
            int status = -1;
            int errorCode = -1;
            try {
                HttpResponse<String> response = http.send(built, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
                Answer answer = new Answer(response.statusCode(), parse(response.body()));
                if (answer.status < 500) {
                    health().answered();
                    return answer;
                }
                status = answer.status;
                errorCode = answer.errorCode();
                failure = "HTTP " + answer.status + " " + answer.message();
            } catch (IOException e) {
                cause = e;
                failure = e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new RegistryUnavailableException("interrupted while calling the registry at " + uri.getHost(), e);
            }
            long remainingMillis = (deadline - System.nanoTime()) / 1_000_000;
            java.time.Instant since = health().failed(failure, "retrying with backoff for " + config.retryBudget().toSeconds()
                    + " s, then the job restarts from its checkpoint and tries again");
            if (remainingMillis <= 0) {
                // one line in the log where the job fails: no stack trace, no cause chain (the failure is in the message)
                throw RegistryUnavailableException.quiet("schema registry " + config.url() + " unavailable after " + attempt
                        + " attempt(s) of " + method + " " + path + ": " + failure + " (unreachable since " + since
                        + "; the job restarts from its checkpoint and tries again)", status, errorCode);
            }
            LOG.debug("schema registry {} {} failed ({}), retrying in {} ms", method, path, failure, Math.min(backoff, remainingMillis));
            try {
                Thread.sleep(Math.min(backoff, remainingMillis));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new RegistryUnavailableException("interrupted while waiting to retry the registry", e);
            }
            backoff = Math.min(backoff * 2, MAX_BACKOFF_MILLIS);
        }
    }

    /** This registry's health in this JVM: its outage is logged once when it starts and once when it answers again. */
    private DependencyHealth health() {
        return DependencyHealth.of("schema registry " + config.url(), LOG);
    }

    private JsonNode parse(String body) {
        if (body == null || body.isBlank()) {
            return json.createObjectNode();
        }
        try {
            return json.readTree(body);
        } catch (IOException notJson) {
            // proxies answer errors in HTML; keep the text for the error message
            return json.createObjectNode().put("message", body.length() > 200 ? body.substring(0, 200) : body);
        }
    }

    private static final class Answer {
        final int status;
        final JsonNode body;

        Answer(int status, JsonNode body) {
            this.status = status;
            this.body = body;
        }

        int errorCode() {
            return body.path("error_code").asInt(-1);
        }

        String message() {
            return body.path("message").asText("");
        }
    }
}
