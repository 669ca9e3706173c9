package io.durablestreams.subscriptions;

import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static java.nio.charset.StandardCharsets.UTF_8;

/**
 * The server's Ed25519 webhook signing key: signs webhook bodies for the
 * {@code Webhook-Signature} header and publishes the public key as a JSON Web Key Set.
 *
 * <p>The key id is {@code ds_} followed by the key's RFC 7638 JWK thumbprint (SHA-256 over
 * {@code {"crv":"Ed25519","kty":"OKP","x":...}}, base64url), so it stays the same for as long as
 * the key does and differs between keys.
 *
 * <p>Thread-safety: immutable; each signature uses its own {@link Signature} instance.
 */
public final class WebhookSigner {

    /** Name of the key file in the key directory. */
    static final String KEY_FILE = "webhook-signing-key.properties";

    /** Length of the DER prefix of an X.509 Ed25519 public key, before the 32 raw key bytes. */
    private static final int X509_PREFIX_LENGTH = 12;

    private static final Base64.Encoder BASE64URL = Base64.getUrlEncoder().withoutPadding();

    private final PrivateKey privateKey;
    private final String kid;
    private final String x;

    private WebhookSigner(KeyPair keys) {
        this.privateKey = keys.getPrivate();
        byte[] encoded = keys.getPublic().getEncoded();
        this.x = BASE64URL.encodeToString(Arrays.copyOfRange(encoded, X509_PREFIX_LENGTH,
                encoded.length));
        this.kid = "ds_" + thumbprint(x);
    }

    /**
     * Returns a signer with a new key that lives as long as this object.
     *
     * @return the signer
     */
    public static WebhookSigner generate() {
        return new WebhookSigner(newKeyPair());
    }

    /**
     * Loads the signing key from a directory, generating and saving it there on first use, so
     * that webhook receivers keep verifying across restarts.
     *
     * @param keyDirectory directory of the key file, created when missing
     * @return the signer
     * @throws java.io.UncheckedIOException when the key file cannot be read or written
     * @throws IllegalStateException when the key file is corrupt
     */
    public static WebhookSigner loadOrCreate(Path keyDirectory) {
        byte[] stored = DurableFiles.readOrCreate(keyDirectory.resolve(KEY_FILE),
                () -> encode(newKeyPair()));
        return new WebhookSigner(decode(stored, keyDirectory.resolve(KEY_FILE)));
    }

    /**
     * Returns the id of the signing key.
     *
     * @return {@code ds_} and the key's JWK thumbprint
     */
    public String kid() {
        return kid;
    }

    /**
     * Signs a webhook body.
     *
     * @param unixSeconds the timestamp sent as {@code t}
     * @param body the exact request body bytes
     * @return the {@code Webhook-Signature} header value:
     *         {@code t=<seconds>,kid=<kid>,ed25519=<unpadded base64url signature>}
     */
    public String signatureHeader(long unixSeconds, byte[] body) {
        byte[] prefix = (unixSeconds + ".").getBytes(ISO_8859_1);
        try {
            Signature signature = Signature.getInstance("Ed25519");
            signature.initSign(privateKey);
            signature.update(prefix);
            signature.update(body);
            return "t=" + unixSeconds + ",kid=" + kid + ",ed25519="
                    + BASE64URL.encodeToString(signature.sign());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("Ed25519 signing failed", e);
        }
    }

    /**
     * Returns the JSON Web Key Set that receivers verify signatures with.
     *
     * @return {@code {"keys": [ {kty, crv, kid, use, alg, x} ]}}
     */
    public Map<String, Object> jwks() {
        Map<String, Object> key = new LinkedHashMap<>();
        key.put("kty", "OKP");
        key.put("crv", "Ed25519");
        key.put("kid", kid);
        key.put("use", "sig");
        key.put("alg", "EdDSA");
        key.put("x", x);
        return Map.of("keys", List.of(key));
    }

    private static KeyPair newKeyPair() {
        try {
            return KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("This Java runtime has no Ed25519 (JDK 15+ has)", e);
        }
    }

    /** Stores both halves, because the JDK offers no way to derive the public key later. */
    private static byte[] encode(KeyPair keys) {
        Base64.Encoder base64 = Base64.getEncoder();
        return ("private=" + base64.encodeToString(keys.getPrivate().getEncoded()) + "\n"
                + "public=" + base64.encodeToString(keys.getPublic().getEncoded()) + "\n")
                .getBytes(UTF_8);
    }

    private static KeyPair decode(byte[] stored, Path file) {
        Properties properties = new Properties();
        try {
            properties.load(new java.io.StringReader(new String(stored, UTF_8)));
            byte[] privateBytes = Base64.getDecoder().decode(required(properties, "private", file));
            byte[] publicBytes = Base64.getDecoder().decode(required(properties, "public", file));
            KeyFactory factory = KeyFactory.getInstance("Ed25519");
            PrivateKey privateKey = factory.generatePrivate(new PKCS8EncodedKeySpec(privateBytes));
            PublicKey publicKey = factory.generatePublic(new X509EncodedKeySpec(publicBytes));
            return new KeyPair(publicKey, privateKey);
        } catch (java.io.IOException | IllegalArgumentException | GeneralSecurityException e) {
            throw new IllegalStateException("Webhook signing key file " + file + " is corrupt;"
                    + " restore it from a backup, or delete it to make a new key that receivers"
                    + " must fetch again", e);
        }
    }

    private static String required(Properties properties, String name, Path file) {
        return Optional.ofNullable(properties.getProperty(name)).orElseThrow(() ->
                new IllegalArgumentException("missing " + name + " in " + file));
    }

    private static String thumbprint(String x) {
        String canonical = "{\"crv\":\"Ed25519\",\"kty\":\"OKP\",\"x\":\"" + x + "\"}";
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(canonical.getBytes(UTF_8));
            return BASE64URL.encodeToString(digest);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("Every Java runtime provides SHA-256", e);
        }
    }

    @Override
    public String toString() {
        return "WebhookSigner[kid=" + Objects.requireNonNull(kid) + "]";
    }
}
