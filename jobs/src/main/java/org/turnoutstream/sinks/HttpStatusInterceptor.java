package org.turnoutstream.sinks;

import okhttp3.Interceptor;
import okhttp3.Response;

import java.io.IOException;

/** Turns InfluxDB's HTTP error answers into {@link InfluxHttpStatusException}s that keep the status. */
final class HttpStatusInterceptor implements Interceptor {
    private static final long MAX_ERROR_BODY = 4096;

    @Override
    public Response intercept(Chain chain) throws IOException {
        Response response = chain.proceed(chain.request());
        if (response.isSuccessful()) return response;
        try (response) {
            String body = response.peekBody(MAX_ERROR_BODY).string();
            throw new InfluxHttpStatusException(response.code(), chain.request().url().encodedPath(), body);
        }
    }
}
