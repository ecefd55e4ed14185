package org.medes.rdma;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;

/**
 * The challenge-response every medes-rdma control connection starts with: the server sends a
 * random nonce, the client proves it holds the shared secret by answering
 * HMAC-SHA256(secret, nonce). Used by the TCP page transport and the DiSNI key channel.
 *
 * <p>Thread-safety: stateless; thread-safe.
 */
public final class SharedSecret {
    /** Bytes of a nonce. */
    public static final int NONCE_BYTES = 16;
    /** Bytes of a proof (HMAC-SHA256). */
    public static final int PROOF_BYTES = 32;
    /** Shortest secret accepted. */
    public static final int MIN_SECRET_BYTES = 16;

    private static final SecureRandom RANDOM = new SecureRandom();

    private SharedSecret() {
    }

    /** A copy of {@code secret}, refused when it is shorter than {@value #MIN_SECRET_BYTES} bytes. */
    public static byte[] check(byte[] secret) {
        if (secret == null || secret.length < MIN_SECRET_BYTES) {
            throw new IllegalArgumentException("the shared secret must have at least " + MIN_SECRET_BYTES + " bytes");
        }
        return secret.clone();
    }

    /** A fresh random nonce. */
    public static byte[] nonce() {
        byte[] n = new byte[NONCE_BYTES];
        RANDOM.nextBytes(n);
        return n;
    }

    /** HMAC-SHA256({@code secret}, {@code nonce}). */
    public static byte[] proof(byte[] secret, byte[] nonce) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret, "HmacSHA256"));
            return mac.doFinal(nonce);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 unavailable", e);
        }
    }

    /** Whether {@code proof} answers {@code nonce} for {@code secret}; constant time. */
    public static boolean verify(byte[] secret, byte[] nonce, byte[] proof) {
        return MessageDigest.isEqual(proof, proof(secret, nonce));
    }
}
