package dev.signalbox.sandbox;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/** The Mastodon entities the sandbox answers with, field for field as Mastodon names them. */
final class MastodonJson {

    private static final DateTimeFormatter TIMESTAMP =
            DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);

    private MastodonJson() {}

    record Application(String name, String website) {}

    record Account(String id, String username, String acct, @JsonProperty("display_name") String displayName,
            String url, @JsonProperty("created_at") String createdAt) {}

    record Status(String id, String uri, String url, @JsonProperty("created_at") String createdAt, String content,
            String visibility, String language, boolean hidden, Application application, Account account) {}

    /** Mastodon's timestamps: ISO-8601 in UTC with milliseconds, e.g. 2019-12-08T03:48:33.901Z. */
    static String timestamp(OffsetDateTime at) {
        return TIMESTAMP.format(at.toInstant());
    }

    static Account account(SandboxLinks links, long id, String username, String displayName, OffsetDateTime createdAt) {
        return new Account(Long.toString(id), username, username, displayName, links.profile(username),
                createdAt == null ? null : timestamp(createdAt));
    }

    /** {@code withApplication}: Mastodon shows the app only to the status's owner. */
    static Status status(SandboxLinks links, SandboxStatuses.Row row, boolean withApplication) {
        Application application = withApplication && row.appName() != null ? new Application(row.appName(), row.appWebsite()) : null;
        return new Status(Long.toString(row.id()), links.statusUri(row.username(), row.id()), links.status(row.username(), row.id()),
                timestamp(row.createdAt()), StatusText.html(row.text()), row.visibility(), row.language(), row.hidden(),
                application, account(links, row.accountId(), row.username(), row.displayName(), null));
    }
}
