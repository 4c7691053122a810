package dev.signalbox.accounts;

import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;

/** problem+json written straight to the response, for failures that happen before a controller. */
final class ProblemResponses {

    private ProblemResponses() {}

    static void write(HttpServletResponse response, int status, String title, String detail) throws IOException {
        response.setStatus(status);
        response.setContentType("application/problem+json");
        response.getWriter().write("{\"type\":\"about:blank\",\"title\":\"" + title + "\",\"status\":" + status
                + ",\"detail\":\"" + detail.replace("\\", "\\\\").replace("\"", "\\\"") + "\",\"errors\":[]}");
    }
}
