package io.durablestreams.subscriptions;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class WebhookSignerTest {

    private static final Instant NOW = Instant.parse("2030-01-01T00:00:00Z");

    @Test
    void signatureVerifiesWithPublishedKey() throws Exception {
        WebhookSigner signer = WebhookSigner.generate();
        byte[] body = "{\"subscription_id\":\"s\"}".getBytes(UTF_8);
        String header = signer.signatureHeader(NOW.getEpochSecond(), body);

        assertThat(header, startsWith("t=" + NOW.getEpochSecond() + ",kid=" + signer.kid()
                + ",ed25519="));
        assertTrue(SignatureVerifier.verify(body, header, signer.jwks(), NOW));
    }

    @Test
    void signatureFailsForChangedBodyOrTimestamp() throws Exception {
        WebhookSigner signer = WebhookSigner.generate();
        byte[] body = "{\"a\":1}".getBytes(UTF_8);
        String header = signer.signatureHeader(NOW.getEpochSecond(), body);

        assertFalse(SignatureVerifier.verify("{\"a\":2}".getBytes(UTF_8), header, signer.jwks(),
                NOW));
        String shifted = header.replace("t=" + NOW.getEpochSecond(),
                "t=" + (NOW.getEpochSecond() + 1));
        assertFalse(SignatureVerifier.verify(body, shifted, signer.jwks(), NOW));
    }

    @Test
    void jwksDescribesEd25519Key() {
        WebhookSigner signer = WebhookSigner.generate();
        Map<?, ?> key = (Map<?, ?>) ((List<?>) signer.jwks().get("keys")).get(0);

        assertEquals("OKP", key.get("kty"));
        assertEquals("Ed25519", key.get("crv"));
        assertEquals("EdDSA", key.get("alg"));
        assertEquals("sig", key.get("use"));
        assertEquals(signer.kid(), key.get("kid"));
        assertEquals(32, Base64.getUrlDecoder().decode((String) key.get("x")).length);
    }

    @Test
    void kidIsRfc7638Thumbprint() throws Exception {
        WebhookSigner signer = WebhookSigner.generate();
        Map<?, ?> key = (Map<?, ?>) ((List<?>) signer.jwks().get("keys")).get(0);
        String canonical = "{\"crv\":\"Ed25519\",\"kty\":\"OKP\",\"x\":\"" + key.get("x") + "\"}";
        byte[] digest = MessageDigest.getInstance("SHA-256").digest(canonical.getBytes(UTF_8));

        assertEquals("ds_" + Base64.getUrlEncoder().withoutPadding().encodeToString(digest),
                signer.kid());
    }

    @Test
    void kidStableAcrossRestarts(@TempDir Path keys) throws Exception {
        WebhookSigner first = WebhookSigner.loadOrCreate(keys);
        WebhookSigner second = WebhookSigner.loadOrCreate(keys);
        byte[] body = "{}".getBytes(UTF_8);

        assertEquals(first.kid(), second.kid());
        assertTrue(SignatureVerifier.verify(body,
                second.signatureHeader(NOW.getEpochSecond(), body), first.jwks(), NOW));
        assertNotEquals(first.kid(), WebhookSigner.generate().kid());
    }

    @Test
    void keyFileReadableByOwnerOnly(@TempDir Path keys) throws Exception {
        WebhookSigner.loadOrCreate(keys);
        Set<PosixFilePermission> permissions = Files.getPosixFilePermissions(
                keys.resolve(WebhookSigner.KEY_FILE));

        assertEquals(Set.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE),
                permissions);
    }
}
