package dev.signalbox.vault;

import dev.signalbox.platform.DataDirectory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

/**
 * Seals secrets as {@code v1.<keyId>.<base64(nonce ‖ ciphertext ‖ tag)>}. The associated data
 * (for a profile: its id) is bound into the tag, so a sealed secret copied to another row does
 * not open there. The master key is {@code SIGNALBOX_MASTER_KEY} (base64, 32 bytes) or, in the
 * embedded default, {@code master.key} in the data folder, created with owner-only permissions.
 */
@Component
public class TokenVault {

    private static final int NONCE_BYTES = 12;
    private static final int TAG_BITS = 128;

    private final SecureRandom random = new SecureRandom();
    private final SecretKeySpec key;
    private final String keyId;

    TokenVault(@Value("${signalbox.master-key:}") String masterKey, DataDirectory dataDirectory) {
        byte[] raw = masterKey.isBlank() ? keyFile(dataDirectory.path().resolve("master.key")) : decode(masterKey);
        this.key = new SecretKeySpec(raw, "AES");
        this.keyId = keyIdOf(raw);
    }

    /** Seals {@code secret} for the row named by {@code boundTo}. */
    public String seal(String secret, String boundTo) {
        try {
            byte[] nonce = new byte[NONCE_BYTES];
            random.nextBytes(nonce);
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, nonce));
            cipher.updateAAD(boundTo.getBytes(StandardCharsets.UTF_8));
            byte[] sealed = cipher.doFinal(secret.getBytes(StandardCharsets.UTF_8));
            ByteBuffer out = ByteBuffer.allocate(nonce.length + sealed.length).put(nonce).put(sealed);
            return "v1." + keyId + "." + Base64.getEncoder().encodeToString(out.array());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM is not available in this JVM", e);
        }
    }

    /**
     * Opens a sealed secret. Throws {@link SealBrokenException} when it was sealed for another row,
     * under another key, or altered — never returning anything in that case.
     */
    public String open(String sealed, String boundTo) {
        String[] parts = sealed.split("\\.", 3);
        if (parts.length != 3 || !parts[0].equals("v1")) {
            throw new SealBrokenException("not a sealed secret");
        }
        if (!parts[1].equals(keyId)) {
            throw new SealBrokenException("sealed under key " + parts[1] + ", but the master key is " + keyId);
        }
        try {
            byte[] all = Base64.getDecoder().decode(parts[2]);
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, all, 0, NONCE_BYTES));
            cipher.updateAAD(boundTo.getBytes(StandardCharsets.UTF_8));
            byte[] plain = cipher.doFinal(all, NONCE_BYTES, all.length - NONCE_BYTES);
            return new String(plain, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException | javax.crypto.AEADBadTagException e) {
            throw new SealBrokenException("the seal does not match this row or was altered");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM is not available in this JVM", e);
        }
    }

    public String keyId() {
        return keyId;
    }

    /** A sealed secret that cannot be opened here. Its message never contains the secret. */
    public static final class SealBrokenException extends RuntimeException {
        SealBrokenException(String why) {
            super("Sealed secret cannot be opened: " + why);
        }
    }

    private static byte[] decode(String base64) {
        byte[] raw;
        try {
            raw = Base64.getDecoder().decode(base64.trim());
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException("SIGNALBOX_MASTER_KEY must be base64 (e.g. `openssl rand -base64 32`)");
        }
        if (raw.length != 32) {
            throw new IllegalStateException("SIGNALBOX_MASTER_KEY must decode to 32 bytes (AES-256); it has " + raw.length);
        }
        return raw;
    }

    private byte[] keyFile(Path file) {
        try {
            if (Files.exists(file)) {
                return decode(Files.readString(file));
            }
            byte[] raw = new byte[32];
            random.nextBytes(raw);
            Path tmp = file.resolveSibling("master.key.tmp");
            Files.deleteIfExists(tmp);
            Files.createFile(tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            Files.writeString(tmp, Base64.getEncoder().encodeToString(raw), StandardOpenOption.WRITE);
            Files.move(tmp, file, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
            return raw;
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read or create the master key file " + file, e);
        }
    }

    private static String keyIdOf(byte[] raw) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(raw);
            return HexFormat.of().formatHex(digest, 0, 4);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
