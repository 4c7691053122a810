package dev.signalbox.vault;

import dev.signalbox.platform.DataDirectory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

/**
 * Seals secrets as {@code v1.<keyId>.<base64(nonce ‖ ciphertext ‖ tag)>} with AES-256-GCM and a
 * random 96-bit nonce. The associated data (for a profile: {@code profiles:<id>}) is bound into
 * the tag, so a sealed secret copied to another row does not open there.
 *
 * <p>Keys never live in the database. Either {@code SIGNALBOX_MASTER_KEY} (base64, 32 bytes) with
 * {@code SIGNALBOX_OLD_MASTER_KEYS} (comma-separated, opened but never sealed with, during a
 * rotation), or — the embedded default — {@code master.key} and {@code master.key.old} in the data
 * folder, created owner-only. The vault seals with the current key and opens with any key it knows.
 */
@Component
public class TokenVault {

    private static final int NONCE_BYTES = 12;
    private static final int TAG_BITS = 128;

    private final SecureRandom random = new SecureRandom();
    private final Path keyFile;
    private final Path oldKeysFile;
    private volatile Keyring keyring;
    private volatile FileTime loadedAt;

    /** The keys this node knows; {@code current} seals. */
    record Keyring(String current, Map<String, SecretKeySpec> keys) {}

    TokenVault(@Value("${signalbox.master-key:}") String masterKey,
            @Value("${signalbox.old-master-keys:}") String oldMasterKeys, DataDirectory dataDirectory) {
        if (masterKey.isBlank()) {
            this.keyFile = dataDirectory.path().resolve("master.key");
            this.oldKeysFile = dataDirectory.path().resolve("master.key.old");
            createKeyFileIfMissing();
            this.keyring = loadFiles();
        } else {
            this.keyFile = null;
            this.oldKeysFile = null;
            this.keyring = keyringOf(decode(masterKey, "SIGNALBOX_MASTER_KEY"), oldMasterKeys.isBlank() ? List.of()
                    : Arrays.stream(oldMasterKeys.split(",")).map(k -> decode(k, "SIGNALBOX_OLD_MASTER_KEYS")).toList());
        }
    }

    /** Seals {@code secret} for the row named by {@code boundTo}, under the current key. */
    public String seal(String secret, String boundTo) {
        Keyring ring = fresh();
        try {
            byte[] nonce = new byte[NONCE_BYTES];
            random.nextBytes(nonce);
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.ENCRYPT_MODE, ring.keys().get(ring.current()), new GCMParameterSpec(TAG_BITS, nonce));
            cipher.updateAAD(boundTo.getBytes(StandardCharsets.UTF_8));
            byte[] sealed = cipher.doFinal(secret.getBytes(StandardCharsets.UTF_8));
            ByteBuffer out = ByteBuffer.allocate(nonce.length + sealed.length).put(nonce).put(sealed);
            return "v1." + ring.current() + "." + Base64.getEncoder().encodeToString(out.array());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM is not available in this JVM", e);
        }
    }

    /**
     * Opens a sealed secret. Throws {@link SealBrokenException} when it was sealed for another row,
     * under a key this node does not know, or altered — never returning anything in that case.
     */
    public String open(String sealed, String boundTo) {
        String[] parts = sealed == null ? new String[0] : sealed.split("\\.", 3);
        if (parts.length != 3 || !parts[0].equals("v1")) {
            throw new SealBrokenException("not a sealed secret", false);
        }
        SecretKeySpec key = fresh().keys().get(parts[1]);
        if (key == null) {
            throw new SealBrokenException("sealed under key " + parts[1] + ", which this node does not have"
                    + " (a rotation in progress? give this node the key in SIGNALBOX_OLD_MASTER_KEYS)", true);
        }
        try {
            byte[] all = Base64.getDecoder().decode(parts[2]);
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, all, 0, NONCE_BYTES));
            cipher.updateAAD(boundTo.getBytes(StandardCharsets.UTF_8));
            byte[] plain = cipher.doFinal(all, NONCE_BYTES, all.length - NONCE_BYTES);
            return new String(plain, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException | javax.crypto.AEADBadTagException e) {
            throw new SealBrokenException("the seal does not match this row or was altered", false);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM is not available in this JVM", e);
        }
    }

    public String keyId() {
        return fresh().current();
    }

    /** True when {@code sealed} is under the current key and needs no re-sealing. */
    public boolean isCurrent(String sealed) {
        return sealed != null && sealed.startsWith("v1." + keyId() + ".");
    }

    boolean usesKeyFile() {
        return keyFile != null;
    }

    boolean knowsOldKeys() {
        return fresh().keys().size() > 1;
    }

    /**
     * Key-file mode: makes a new current key. The old keys file is written first, then the key
     * file is replaced atomically, so a crash between the two leaves every secret openable.
     */
    synchronized void rotateKeyFile() {
        Keyring ring = loadFiles();
        byte[] next = new byte[32];
        random.nextBytes(next);
        StringBuilder old = new StringBuilder();
        for (SecretKeySpec k : ring.keys().values()) old.append(Base64.getEncoder().encodeToString(k.getEncoded())).append('\n');
        writeOwnerOnly(oldKeysFile, old.toString());
        writeOwnerOnly(keyFile, Base64.getEncoder().encodeToString(next));
        this.keyring = loadFiles();
    }

    /** Key-file mode: forgets the old keys once nothing is sealed under them. */
    synchronized void forgetOldKeys() {
        try {
            Files.deleteIfExists(oldKeysFile);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot remove " + oldKeysFile, e);
        }
        this.keyring = loadFiles();
    }

    /** A sealed secret that cannot be opened here. Its message never contains the secret. */
    public static final class SealBrokenException extends RuntimeException {
        private final boolean unknownKey;

        SealBrokenException(String why, boolean unknownKey) {
            super("Sealed secret cannot be opened: " + why);
            this.unknownKey = unknownKey;
        }

        /** The key is missing on this node (not a tampered or misplaced seal): another node may open it. */
        public boolean unknownKey() {
            return unknownKey;
        }
    }

    /** In key-file mode, picks up a rotation made by another process (the `keys rotate` command). */
    private Keyring fresh() {
        if (keyFile != null) {
            try {
                FileTime modified = Files.getLastModifiedTime(keyFile);
                if (!modified.equals(loadedAt)) {
                    synchronized (this) {
                        keyring = loadFiles();
                    }
                }
            } catch (IOException e) {
                // keep the keys we have; the file may be mid-replacement
            }
        }
        return keyring;
    }

    private Keyring loadFiles() {
        try {
            FileTime modified = Files.getLastModifiedTime(keyFile);
            byte[] current = decode(Files.readString(keyFile), keyFile.toString());
            List<byte[]> old = Files.exists(oldKeysFile)
                    ? Files.readAllLines(oldKeysFile).stream().filter(l -> !l.isBlank()).map(l -> decode(l, oldKeysFile.toString())).toList()
                    : List.of();
            loadedAt = modified;
            return keyringOf(current, old);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read the master key file " + keyFile, e);
        }
    }

    private void createKeyFileIfMissing() {
        if (Files.exists(keyFile)) return;
        byte[] raw = new byte[32];
        random.nextBytes(raw);
        writeOwnerOnly(keyFile, Base64.getEncoder().encodeToString(raw));
    }

    private static void writeOwnerOnly(Path file, String content) {
        try {
            Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
            Files.deleteIfExists(tmp);
            Files.createFile(tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            Files.writeString(tmp, content);
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot write " + file, e);
        }
    }

    private static Keyring keyringOf(byte[] current, List<byte[]> old) {
        Map<String, SecretKeySpec> keys = new LinkedHashMap<>();
        String currentId = keyIdOf(current);
        keys.put(currentId, new SecretKeySpec(current, "AES"));
        for (byte[] k : old) keys.putIfAbsent(keyIdOf(k), new SecretKeySpec(k, "AES"));
        return new Keyring(currentId, Map.copyOf(keys));
    }

    private static byte[] decode(String base64, String source) {
        byte[] raw;
        try {
            raw = Base64.getDecoder().decode(base64.trim());
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException(source + " must be base64 (e.g. `openssl rand -base64 32`)");
        }
        if (raw.length != 32) {
            throw new IllegalStateException(source + " must decode to 32 bytes (AES-256); it has " + raw.length);
        }
        return raw;
    }

    private static String keyIdOf(byte[] raw) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(raw), 0, 4);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
