package dev.signalbox.networks;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Function;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

/**
 * The SSRF guard for server addresses a customer types in (a Mastodon instance, a Bluesky PDS).
 * {@link #check} accepts only https URLs whose host resolves to public addresses; every refusal
 * is a {@link ConnectFailure} naming the field and the rule. The operator switch
 * {@code signalbox.networks.allow-private-addresses} (env {@code SIGNALBOX_NETWORKS_ALLOW_PRIVATE_ADDRESSES})
 * lets private and loopback addresses and plain http through, for tests and private deployments.
 *
 * <p>The check resolves the name once; it does not pin the address for the request that follows,
 * so a hostile DNS server could still answer differently a moment later (DNS rebinding).
 */
@Component
public class SafeUrls {

    /** At most this many redirects are followed by {@link #follow}. */
    public static final int MAX_REDIRECTS = 3;

    /** Sends one request without following redirects (the adapters' client never follows them). */
    @FunctionalInterface
    public interface Hop {
        HttpResponse<String> send(HttpRequest request) throws IOException, InterruptedException;
    }

    private final boolean allowPrivate;
    private final Function<String, InetAddress[]> resolver;

    @Autowired
    SafeUrls(@Value("${signalbox.networks.allow-private-addresses:false}") boolean allowPrivateAddresses) {
        this(allowPrivateAddresses, SafeUrls::resolve);
    }

    /** {@code resolver} turns a host name (or address literal, without brackets) into its addresses. */
    public SafeUrls(boolean allowPrivateAddresses, Function<String, InetAddress[]> resolver) {
        this.allowPrivate = allowPrivateAddresses;
        this.resolver = resolver;
    }

    public boolean allowsPrivateAddresses() {
        return allowPrivate;
    }

    /** The URL, parsed, once it names a public https server. Throws {@link ConnectFailure} on {@code field} otherwise. */
    public URI check(String field, String url) {
        if (url == null || url.isBlank()) throw new ConnectFailure(field, "must be a server address such as https://example.social");
        URI uri;
        try {
            uri = new URI(url.strip());
        } catch (URISyntaxException e) {
            throw new ConnectFailure(field, "'" + url.strip() + "' is not a valid URL; use the form https://example.social");
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        boolean httpAllowed = allowPrivate && scheme.equals("http");
        if (!scheme.equals("https") && !httpAllowed) {
            throw new ConnectFailure(field, "must start with https:// (" + (scheme.isEmpty() ? "no scheme" : scheme + "://")
                    + " given); Signalbox only connects to servers over https");
        }
        if (uri.getRawUserInfo() != null) {
            throw new ConnectFailure(field, "must not contain a user name or password before the host; give just https://host");
        }
        String host = uri.getHost();
        if (host == null || host.isBlank()) throw new ConnectFailure(field, "'" + url.strip() + "' names no host; use the form https://example.social");
        String bare = (host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host).toLowerCase(Locale.ROOT);
        InetAddress[] addresses;
        try {
            addresses = resolver.apply(bare);
        } catch (RuntimeException e) {
            addresses = null;
        }
        if (addresses == null || addresses.length == 0) {
            throw new ConnectFailure(field, "the host " + host + " could not be found (DNS); check the spelling of the address");
        }
        if (!allowPrivate) {
            for (InetAddress address : addresses) {
                Optional<String> rule = forbidden(address);
                if (rule.isPresent()) {
                    throw new ConnectFailure(field, host + " names a private or loopback address (" + address.getHostAddress() + ", "
                            + rule.get() + "); Signalbox only connects to public servers");
                }
            }
        }
        return uri;
    }

    /**
     * Sends {@code request} and follows up to {@link #MAX_REDIRECTS} redirects, checking each
     * {@code Location} with {@link #check} first. 307/308 repeat the method and body; other
     * redirects continue with GET. Credentials never cross to another origin: the Authorization
     * header is dropped, and a 307/308 carrying a body to another origin is refused.
     */
    public HttpResponse<String> follow(String field, HttpRequest request, Hop hop) throws IOException, InterruptedException {
        HttpRequest current = request;
        for (int hops = 0; ; hops++) {
            HttpResponse<String> response = hop.send(current);
            int status = response.statusCode();
            Optional<String> location = response.headers().firstValue("location");
            if (!isRedirect(status) || location.isEmpty()) return response;
            if (hops == MAX_REDIRECTS) {
                throw new ConnectFailure(field, "the server redirected more than " + MAX_REDIRECTS + " times; give the address it finally answers at");
            }
            URI target;
            try {
                target = current.uri().resolve(location.get());
            } catch (IllegalArgumentException e) {
                throw new ConnectFailure(field, "the server redirected to an invalid address; give the address it answers at");
            }
            check(field, target.toString());
            boolean sameOrigin = sameOrigin(current.uri(), target);
            boolean keepMethod = status == 307 || status == 308;
            boolean hasBody = current.bodyPublisher().map(b -> b.contentLength() != 0).orElse(false);
            if (keepMethod && hasBody && !sameOrigin) {
                throw new ConnectFailure(field, "the server redirected the sign-in to another server (" + target.getHost()
                        + "); give that server's address directly");
            }
            HttpRequest.Builder next = HttpRequest.newBuilder(current, (name, value) ->
                    sameOrigin || !name.equalsIgnoreCase("authorization")).uri(target);
            if (!keepMethod) next.GET();
            current = next.build();
        }
    }

    private static boolean isRedirect(int status) {
        return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
    }

    private static boolean sameOrigin(URI a, URI b) {
        return a.getScheme().equalsIgnoreCase(b.getScheme()) && a.getHost().equalsIgnoreCase(b.getHost()) && port(a) == port(b);
    }

    private static int port(URI uri) {
        return uri.getPort() != -1 ? uri.getPort() : uri.getScheme().equalsIgnoreCase("https") ? 443 : 80;
    }

    /** The rule an address breaks, if it is not a public unicast address. */
    static Optional<String> forbidden(InetAddress address) {
        if (address instanceof Inet6Address v6) {
            byte[] b = v6.getAddress();
            if (isMapped(b)) return forbiddenV4(Arrays.copyOfRange(b, 12, 16)).map(rule -> "IPv4-mapped " + rule);
        }
        if (address.isLoopbackAddress()) return Optional.of("loopback");
        if (address.isAnyLocalAddress()) return Optional.of("the unspecified address");
        if (address.isLinkLocalAddress()) return Optional.of(address instanceof Inet4Address
                ? "link-local 169.254.0.0/16, where cloud metadata services live" : "link-local fe80::/10");
        if (address.isMulticastAddress()) return Optional.of("multicast");
        if (address instanceof Inet4Address) return forbiddenV4(address.getAddress());
        byte[] b = address.getAddress();
        if ((b[0] & 0xfe) == 0xfc) return Optional.of("unique-local fc00::/7");
        if (address.isSiteLocalAddress()) return Optional.of("site-local fec0::/10");
        return Optional.empty();
    }

    private static Optional<String> forbiddenV4(byte[] b) {
        int a0 = b[0] & 0xff, a1 = b[1] & 0xff;
        if (a0 == 127) return Optional.of("loopback 127.0.0.0/8");
        if (a0 == 10) return Optional.of("private network 10.0.0.0/8");
        if (a0 == 172 && (a1 & 0xf0) == 16) return Optional.of("private network 172.16.0.0/12");
        if (a0 == 192 && a1 == 168) return Optional.of("private network 192.168.0.0/16");
        if (a0 == 169 && a1 == 254) return Optional.of("link-local 169.254.0.0/16, where cloud metadata services live");
        if (a0 == 100 && (a1 & 0xc0) == 64) return Optional.of("carrier-grade NAT 100.64.0.0/10");
        if (a0 == 0) return Optional.of("\"this network\" 0.0.0.0/8");
        if (a0 >= 224) return Optional.of("multicast or reserved 224.0.0.0/3");
        return Optional.empty();
    }

    private static boolean isMapped(byte[] b) {
        if (b.length != 16) return false;
        for (int i = 0; i < 10; i++) if (b[i] != 0) return false;
        return (b[10] & 0xff) == 0xff && (b[11] & 0xff) == 0xff;
    }

    private static InetAddress[] resolve(String host) {
        try {
            return InetAddress.getAllByName(host);
        } catch (UnknownHostException e) {
            throw new UncheckedIOException(e);
        }
    }
}
