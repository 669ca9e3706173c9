package io.durablestreams.subscriptions;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class WebhookUrlPolicyTest {

    /**
     * Names that a test DNS maps to addresses; nothing is looked up on the network. Literal
     * addresses are parsed without DNS.
     */
    private static final Map<String, String> DNS = Map.of(
            "hooks.example.com", "93.184.215.14",
            "loopback.example.com", "127.0.0.1",
            "private.example.com", "10.1.2.3",
            "metadata.example.com", "169.254.169.254",
            "mixed.example.com", "93.184.215.14,192.168.1.1",
            "v6loopback.example.com", "::1");

    private static InetAddress[] resolve(String host) throws UnknownHostException {
        String addresses = DNS.get(host);
        if (addresses != null) {
            String[] literals = addresses.split(",");
            InetAddress[] resolved = new InetAddress[literals.length];
            for (int i = 0; i < literals.length; i++) {
                resolved[i] = InetAddress.getByName(literals[i]);
            }
            return resolved;
        }
        if (host.chars().anyMatch(Character::isLetter) && !host.contains(":")) {
            throw new UnknownHostException(host);
        }
        return new InetAddress[] {InetAddress.getByName(host)};
    }

    private final WebhookUrlPolicy production = new WebhookUrlPolicy(false,
            WebhookUrlPolicyTest::resolve);
    private final WebhookUrlPolicy development = new WebhookUrlPolicy(true,
            WebhookUrlPolicyTest::resolve);

    @Test
    void publicHttpsUrlIsAccepted() {
        assertDoesNotThrow(() -> production.check("https://hooks.example.com/hook"));
        assertDoesNotThrow(() -> production.check("https://93.184.215.14:8443/hook"));
    }

    @Test
    void plainHttpIsRejected() {
        assertRejected(production, "http://hooks.example.com/hook");
        assertRejected(development, "http://hooks.example.com/hook");
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "https://10.0.0.1/hook",
            "https://172.16.5.4/hook",
            "https://172.31.255.255/hook",
            "https://192.168.0.10/hook",
            "https://[fd12:3456::1]/hook",
    })
    void privateAddressesAreRejected(String url) {
        assertRejected(production, url);
        assertRejected(development, url);
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "https://169.254.169.254/latest/meta-data",
            "https://169.254.1.1/hook",
            "https://[fe80::1]/hook",
    })
    void linkLocalAndMetadataAddressesAreRejected(String url) {
        assertRejected(production, url);
        assertRejected(development, url);
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "https://127.0.0.1/hook",
            "http://127.0.0.1:8080/hook",
            "https://localhost/hook",
            "http://localhost:8080/hook",
            "https://[::1]/hook",
            "https://127.1.2.3/hook",
            "https://0.0.0.0/hook",
            "https://[::ffff:127.0.0.1]/hook",
    })
    void loopbackIsRejectedWithoutDevelopmentSetting(String url) {
        assertRejected(production, url);
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "http://localhost:8080/hook",
            "https://localhost/hook",
            "http://127.0.0.1:8080/hook",
            "http://127.0.0.42/hook",
    })
    void developmentSettingAllowsLocalhost(String url) {
        assertDoesNotThrow(() -> development.check(url));
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "https://[::1]/hook",
            "http://127.1.2.3/hook",
            "https://loopback.example.com/hook",
            "https://v6loopback.example.com/hook",
    })
    void developmentSettingCoversOnlyLiteralLocalhost(String url) {
        assertRejected(development, url);
    }

    @Test
    void namesResolvingToInternalAddressesAreRejected() {
        assertRejected(production, "https://loopback.example.com/hook");
        assertRejected(production, "https://private.example.com/hook");
        assertRejected(production, "https://metadata.example.com/hook");
        assertRejected(production, "https://v6loopback.example.com/hook");
    }

    @Test
    void oneInternalAddressAmongPublicOnesIsRejected() {
        assertRejected(production, "https://mixed.example.com/hook");
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "https://[::ffff:10.0.0.1]/hook",
            "https://[64:ff9b::a9fe:a9fe]/hook",
            "https://[2002:c0a8:0101::1]/hook",
            "https://100.64.0.1/hook",
            "https://198.18.0.1/hook",
            "https://224.0.0.1/hook",
            "https://255.255.255.255/hook",
    })
    void embeddedAndSpecialRangesAreRejected(String url) {
        assertRejected(production, url);
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "not a url",
            "/relative/hook",
            "ftp://hooks.example.com/hook",
            "https://user:secret@hooks.example.com/hook",
            "https://unresolvable.example.com/hook",
    })
    void malformedOrUnresolvableUrlsAreRejected(String url) {
        assertRejected(production, url);
    }

    private static void assertRejected(WebhookUrlPolicy policy, String url) {
        SubscriptionException e = assertThrows(SubscriptionException.class,
                () -> policy.check(url), url);
        assertEquals("WEBHOOK_URL_REJECTED", e.code(), url);
        assertEquals(400, e.status(), url);
    }
}
