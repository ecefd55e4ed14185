package org.medes.rdma;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;

/**
 * The challenge every page transport's connection answers: the server sends a random nonce, the
 * client proves it holds the shared secret with HMAC-SHA256(secret, nonce). Used by the TCP
 * transport and by the UCX side channel.
 *
 * <p>Thread-safety: stateless; thread-safe.
 */
final class SharedSecret {
    /** Bytes of a nonce. */
    static final int NONCE_BYTES = 16;
    /** Bytes of an answer (HMAC-SHA256). */
    static final int MAC_BYTES = 32;
    /** Shortest secret accepted. */
    static final int MIN_SECRET_BYTES = 16;

    private static final SecureRandom RANDOM = new SecureRandom();

    private SharedSecret() {
    }

    /** A copy of {@code secret}, refused when shorter than {@value #MIN_SECRET_BYTES} bytes. */
    static byte[] check(byte[] secret) {
        if (secret == null || secret.length < MIN_SECRET_BYTES) {
            throw new IllegalArgumentException("the shared secret must have at least " + MIN_SECRET_BYTES + " bytes");
        }
        return secret.clone();
    }

    /** A fresh random nonce. */
    static byte[] nonce() {
        byte[] n = new byte[NONCE_BYTES];
        RANDOM.nextBytes(n);
        return n;
    }

    /** The answer to {@code nonce}: HMAC-SHA256(secret, nonce). */
    static byte[] answer(byte[] secret, byte[] nonce) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret, "HmacSHA256"));
            return mac.doFinal(nonce);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 unavailable", e);
        }
    }

    /** Whether {@code answer} is the right answer to {@code nonce}, compared in constant time. */
    static boolean accepts(byte[] secret, byte[] nonce, byte[] answer) {
        return MessageDigest.isEqual(answer, answer(secret, nonce));
    }
}
