package io.durablestreams.subscriptions;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.util.Locale;
import java.util.Objects;

/**
 * Decides whether the server may send webhooks to a URL, to keep subscriptions from turning the
 * server into a proxy into its own network (server-side request forgery).
 *
 * <p>A URL must use {@code https}, and every address its host resolves to must be public:
 * loopback, private (RFC 1918 and IPv6 unique local), link-local (which includes the cloud
 * metadata address 169.254.169.254), carrier-grade NAT, unspecified, multicast, reserved and
 * documentation ranges are rejected, also when embedded in IPv4-mapped, NAT64 or 6to4 IPv6
 * addresses. When the development exception is on, {@code http} and {@code https} URLs whose
 * host is literally {@code localhost} or {@code 127.0.0.x} are allowed as well; other names that
 * resolve to loopback stay rejected.
 *
 * <p>The server calls {@link #check(String)} when a subscription is created and again before
 * every delivery, so a name that later resolves to an internal address is caught then, and it
 * never follows redirects.
 *
 * <p>Thread-safety: immutable.
 */
public final class WebhookUrlPolicy {

    /**
     * Resolves host names to addresses; replaced in tests so that no DNS server is needed.
     */
    @FunctionalInterface
    public interface HostResolver {

        /**
         * Resolves a host name.
         *
         * @param host the name
         * @return every address of the name
         * @throws UnknownHostException when the name does not resolve
         */
        InetAddress[] resolve(String host) throws UnknownHostException;
    }

    private final boolean allowInsecureLocalhost;
    private final HostResolver resolver;

    /**
     * Creates a policy that resolves names through the system resolver.
     *
     * @param allowInsecureLocalhost whether the development exception for {@code localhost} and
     *        {@code 127.0.0.x} is on
     */
    public WebhookUrlPolicy(boolean allowInsecureLocalhost) {
        this(allowInsecureLocalhost, InetAddress::getAllByName);
    }

    /**
     * Creates a policy.
     *
     * @param allowInsecureLocalhost whether the development exception for {@code localhost} and
     *        {@code 127.0.0.x} is on
     * @param resolver how host names are resolved
     */
    public WebhookUrlPolicy(boolean allowInsecureLocalhost, HostResolver resolver) {
        this.allowInsecureLocalhost = allowInsecureLocalhost;
        this.resolver = Objects.requireNonNull(resolver, "resolver");
    }

    /**
     * Checks a webhook URL.
     *
     * @param url the URL as the client sent it
     * @return the parsed URL
     * @throws SubscriptionException {@code WEBHOOK_URL_REJECTED} saying why the URL is unsafe
     */
    public URI check(String url) {
        URI uri = parse(url);
        String scheme = uri.getScheme().toLowerCase(Locale.ROOT);
        String host = hostOf(uri);

        if (isDevelopmentLocalhost(host)) {
            if (allowInsecureLocalhost && (scheme.equals("http") || scheme.equals("https"))) {
                return uri;
            }
            throw SubscriptionException.webhookUrlRejected("Webhook URL " + url + " targets"
                    + " this machine; loopback webhooks are only allowed in development, with"
                    + " durable-streams.subscriptions.allow-insecure-localhost-webhooks=true");
        }
        if (!scheme.equals("https")) {
            throw SubscriptionException.webhookUrlRejected("Webhook URL " + url + " must use"
                    + " https");
        }
        if (host.equals("localhost") || host.endsWith(".localhost")) {
            throw SubscriptionException.webhookUrlRejected("Webhook URL " + url + " targets"
                    + " this machine");
        }

        InetAddress[] addresses;
        try {
            addresses = resolver.resolve(host);
        } catch (UnknownHostException e) {
            throw SubscriptionException.webhookUrlRejected("Webhook host " + host + " does not"
                    + " resolve");
        }
        if (addresses.length == 0) {
            throw SubscriptionException.webhookUrlRejected("Webhook host " + host + " does not"
                    + " resolve");
        }
        for (InetAddress address : addresses) {
            String reason = nonPublicReason(address);
            if (reason != null) {
                throw SubscriptionException.webhookUrlRejected("Webhook URL " + url
                        + " resolves to " + reason + " address " + address.getHostAddress()
                        + "; webhooks may only target public addresses");
            }
        }
        return uri;
    }

    private static URI parse(String url) {
        URI uri;
        try {
            uri = new URI(url);
        } catch (URISyntaxException e) {
            throw SubscriptionException.webhookUrlRejected("Webhook URL is not a valid URL: "
                    + e.getReason());
        }
        if (!uri.isAbsolute() || uri.isOpaque() || uri.getHost() == null) {
            throw SubscriptionException.webhookUrlRejected("Webhook URL " + url + " must be an"
                    + " absolute https URL with a host");
        }
        if (uri.getRawUserInfo() != null) {
            throw SubscriptionException.webhookUrlRejected("Webhook URL " + url + " must not"
                    + " contain user information");
        }
        return uri;
    }

    /** Returns the host in lower case, without the brackets of an IPv6 literal. */
    private static String hostOf(URI uri) {
        String host = uri.getHost().toLowerCase(Locale.ROOT);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        if (host.endsWith(".")) {
            host = host.substring(0, host.length() - 1);
        }
        return host;
    }

    /** Tells whether a host is what the development exception covers, whether or not it is on. */
    private static boolean isDevelopmentLocalhost(String host) {
        if (host.equals("localhost")) {
            return true;
        }
        String[] octets = host.split("\\.", -1);
        if (octets.length != 4 || !octets[0].equals("127") || !octets[1].equals("0")
                || !octets[2].equals("0")) {
            return false;
        }
        String last = octets[3];
        return !last.isEmpty() && last.length() <= 3 && last.chars().allMatch(Character::isDigit)
                && Integer.parseInt(last) <= 255 && (last.length() == 1 || last.charAt(0) != '0');
    }

    /**
     * Returns why an address is not public, or null when it is.
     *
     * @param address a resolved address
     * @return a short description such as {@code "a loopback"}, or null
     */
    static String nonPublicReason(InetAddress address) {
        if (address instanceof Inet6Address v6) {
            byte[] b = v6.getAddress();
            Inet4Address embedded = embeddedIpv4(b);
            if (embedded != null) {
                return nonPublicReason(embedded);
            }
            if (v6.isLoopbackAddress()) {
                return "a loopback";
            }
            if (v6.isAnyLocalAddress()) {
                return "an unspecified";
            }
            if (v6.isLinkLocalAddress()) {
                return "a link-local";
            }
            if (v6.isSiteLocalAddress()) {
                return "a site-local";
            }
            if ((b[0] & 0xfe) == 0xfc) {
                return "a private (unique local)";
            }
            if (v6.isMulticastAddress()) {
                return "a multicast";
            }
            if ((b[0] & 0xff) == 0x20 && (b[1] & 0xff) == 0x01 && (b[2] & 0xff) == 0x0d
                    && (b[3] & 0xff) == 0xb8) {
                return "a documentation";
            }
            return null;
        }

        byte[] b = address.getAddress();
        int first = b[0] & 0xff;
        int second = b[1] & 0xff;
        if (first == 127) {
            return "a loopback";
        }
        if (first == 10 || (first == 172 && second >= 16 && second <= 31)
                || (first == 192 && second == 168)) {
            return "a private";
        }
        if (first == 169 && second == 254) {
            return "a link-local (cloud metadata)";
        }
        if (first == 0) {
            return "an unspecified";
        }

        // Special-purpose ranges that no public service uses.
        if (first == 100 && second >= 64 && second <= 127) {
            return "a carrier-grade NAT";
        }
        if (first == 192 && second == 0 && (b[2] & 0xff) == 0) {
            return "a reserved";
        }
        if (first == 198 && (second == 18 || second == 19)) {
            return "a benchmarking";
        }
        if ((first == 192 && second == 0 && (b[2] & 0xff) == 2)
                || (first == 198 && second == 51 && (b[2] & 0xff) == 100)
                || (first == 203 && second == 0 && (b[2] & 0xff) == 113)) {
            return "a documentation";
        }
        if (first >= 224) {
            return "a multicast or reserved";
        }
        return null;
    }

    /**
     * Returns the IPv4 address inside an IPv4-mapped ({@code ::ffff:0:0/96}), IPv4-compatible
     * ({@code ::/96}), NAT64 ({@code 64:ff9b::/96}) or 6to4 ({@code 2002::/16}) IPv6 address.
     */
    private static Inet4Address embeddedIpv4(byte[] b) {
        boolean zeroPrefix = true;
        for (int i = 0; i < 10; i++) {
            zeroPrefix &= b[i] == 0;
        }
        int offset = -1;
        if (zeroPrefix && (b[10] & 0xff) == 0xff && (b[11] & 0xff) == 0xff) {
            offset = 12;
        } else if (zeroPrefix && b[10] == 0 && b[11] == 0 && !(b[12] == 0 && b[13] == 0
                && b[14] == 0 && (b[15] == 0 || b[15] == 1))) {
            offset = 12;
        } else if (b[0] == 0 && (b[1] & 0xff) == 0x64 && (b[2] & 0xff) == 0xff
                && (b[3] & 0xff) == 0x9b) {
            offset = 12;
        } else if ((b[0] & 0xff) == 0x20 && (b[1] & 0xff) == 0x02) {
            offset = 2;
        }
        if (offset < 0) {
            return null;
        }
        try {
            return (Inet4Address) InetAddress.getByAddress(new byte[] {b[offset], b[offset + 1],
                    b[offset + 2], b[offset + 3]});
        } catch (UnknownHostException e) {
            throw new IllegalStateException("Four bytes always form an IPv4 address", e);
        }
    }
}
