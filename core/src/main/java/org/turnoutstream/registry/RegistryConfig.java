package org.turnoutstream.registry;

import java.io.Serializable;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * Where the schema registry is and how to log in. Serializable because decoders and encoders
 * carry it to the TaskManagers; the password never appears in {@link #toString()}.
 */
public final class RegistryConfig implements Serializable {
    private static final long serialVersionUID = 1L;
    /** How long transient registry failures are retried before the caller gives up and fails. */
    public static final Duration DEFAULT_RETRY_BUDGET = Duration.ofSeconds(30);

    private final String url;
    private final String user;
    private final String password;
    private final long retryBudgetMillis;

    private RegistryConfig(String url, String user, String password, long retryBudgetMillis) {
        this.url = url;
        this.user = user;
        this.password = password;
        this.retryBudgetMillis = retryBudgetMillis;
    }

    /** @param url base URL of the Confluent-compatible API, e.g. {@code http://registry:8081} */
    public static RegistryConfig of(String url) {
        if (url == null || url.isBlank()) {
            throw new IllegalArgumentException("schema registry URL must be configured");
        }
        String trimmed = url.trim();
        while (trimmed.endsWith("/")) {
            trimmed = trimmed.substring(0, trimmed.length() - 1);
        }
        return new RegistryConfig(trimmed, null, null, DEFAULT_RETRY_BUDGET.toMillis());
    }

    /** Basic-auth credentials; a blank user means none. */
    public RegistryConfig withCredentials(String user, String password) {
        boolean none = user == null || user.isBlank();
        return new RegistryConfig(url, none ? null : user, none ? null : password, retryBudgetMillis);
    }

    public RegistryConfig withRetryBudget(Duration budget) {
        if (budget.isNegative()) {
            throw new IllegalArgumentException("retry budget must not be negative: " + budget);
        }
        return new RegistryConfig(url, user, password, budget.toMillis());
    }

    public String url() {
        return url;
    }

    public Optional<String> user() {
        return Optional.ofNullable(user);
    }

    public Optional<String> password() {
        return Optional.ofNullable(password);
    }

    public Duration retryBudget() {
        return Duration.ofMillis(retryBudgetMillis);
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof RegistryConfig)) {
            return false;
        }
        RegistryConfig that = (RegistryConfig) o;
        return retryBudgetMillis == that.retryBudgetMillis && url.equals(that.url)
                && Objects.equals(user, that.user) && Objects.equals(password, that.password);
    }

    @Override
    public int hashCode() {
        return Objects.hash(url, user, password, retryBudgetMillis);
    }

    @Override
    public String toString() {
        return "RegistryConfig[url=" + url
                + (user == null ? "" : ", user=" + user + ", password=" + (password == null ? "(none)" : "****"))
                + ", retryBudget=" + retryBudget() + "]";
    }
}
