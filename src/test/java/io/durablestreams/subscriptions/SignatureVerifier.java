package io.durablestreams.subscriptions;

import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.X509EncodedKeySpec;
import java.time.Instant;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static java.nio.charset.StandardCharsets.UTF_8;

/**
 * Verifies a {@code Webhook-Signature} header the way a receiver would: selects the key by
 * {@code kid} from the JWK Set, checks the timestamp against a five-minute replay window and
 * verifies Ed25519 over {@code <timestamp>.<raw body>}.
 */
final class SignatureVerifier {

    private static final Pattern HEADER = Pattern.compile(
            "^t=(\\d+),kid=([^,]+),ed25519=([A-Za-z0-9_-]+)$");
    /** DER prefix of an X.509 SubjectPublicKeyInfo for Ed25519, before the 32 key bytes. */
    private static final byte[] X509_PREFIX = HexFormat.of().parseHex("302a300506032b6570032100");

    private SignatureVerifier() {
    }

    static boolean verify(byte[] rawBody, String header, Map<?, ?> jwks, Instant now)
            throws GeneralSecurityException {
        if (header == null) {
            return false;
        }
        Matcher match = HEADER.matcher(header);
        if (!match.matches()) {
            return false;
        }
        long timestamp = Long.parseLong(match.group(1));
        if (Math.abs(now.getEpochSecond() - timestamp) > 300) {
            return false;
        }
        Map<?, ?> key = null;
        for (Object candidate : (List<?>) jwks.get("keys")) {
            if (match.group(2).equals(((Map<?, ?>) candidate).get("kid"))) {
                key = (Map<?, ?>) candidate;
            }
        }
        if (key == null) {
            return false;
        }
        Signature verifier = Signature.getInstance("Ed25519");
        verifier.initVerify(publicKey((String) key.get("x")));
        verifier.update((timestamp + ".").getBytes(UTF_8));
        verifier.update(rawBody);
        return verifier.verify(Base64.getUrlDecoder().decode(match.group(3)));
    }

    private static PublicKey publicKey(String x) throws GeneralSecurityException {
        byte[] raw = Base64.getUrlDecoder().decode(x);
        byte[] encoded = new byte[X509_PREFIX.length + raw.length];
        System.arraycopy(X509_PREFIX, 0, encoded, 0, X509_PREFIX.length);
        System.arraycopy(raw, 0, encoded, X509_PREFIX.length, raw.length);
        return KeyFactory.getInstance("Ed25519").generatePublic(new X509EncodedKeySpec(encoded));
    }
}
