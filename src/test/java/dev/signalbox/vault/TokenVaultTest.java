package dev.signalbox.vault;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.signalbox.platform.DataDirectory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.Base64;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TokenVaultTest {

    @TempDir
    Path dir;

    TokenVault fileVault() throws Exception {
        var ctor = DataDirectory.class.getDeclaredConstructor(String.class);
        ctor.setAccessible(true);
        return new TokenVault("", "", ctor.newInstance(dir.toString()));
    }

    @Test
    void a_sealed_secret_opens_only_for_its_own_row() throws Exception {
        TokenVault vault = fileVault();
        String sealed = vault.seal("access-token-of-alice", "profiles:prf_alice");

        assertThat(sealed).startsWith("v1." + vault.keyId() + ".").doesNotContain("access-token-of-alice");
        assertThat(vault.open(sealed, "profiles:prf_alice")).isEqualTo("access-token-of-alice");
        assertThatThrownBy(() -> vault.open(sealed, "profiles:prf_mallory"))
                .isInstanceOf(TokenVault.SealBrokenException.class)
                .hasMessageNotContaining("access-token-of-alice");
    }

    @Test
    void the_same_secret_seals_differently_each_time() throws Exception {
        TokenVault vault = fileVault();
        assertThat(vault.seal("t", "profiles:x")).isNotEqualTo(vault.seal("t", "profiles:x"));
    }

    @Test
    void an_altered_seal_does_not_open() throws Exception {
        TokenVault vault = fileVault();
        String sealed = vault.seal("secret", "profiles:p");
        byte[] raw = Base64.getDecoder().decode(sealed.substring(sealed.lastIndexOf('.') + 1));
        raw[raw.length - 1] ^= 1;
        String altered = sealed.substring(0, sealed.lastIndexOf('.') + 1) + Base64.getEncoder().encodeToString(raw);
        assertThatThrownBy(() -> vault.open(altered, "profiles:p")).isInstanceOf(TokenVault.SealBrokenException.class);
    }

    @Test
    void the_generated_key_file_is_readable_by_its_owner_only() throws Exception {
        fileVault();
        assertThat(Files.getPosixFilePermissions(dir.resolve("master.key")))
                .containsExactlyInAnyOrder(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE);
    }

    @Test
    void after_a_new_key_old_seals_still_open_until_the_old_keys_are_forgotten() throws Exception {
        TokenVault vault = fileVault();
        String before = vault.seal("old secret", "profiles:p");
        String oldKey = vault.keyId();

        vault.rotateKeyFile();

        assertThat(vault.keyId()).isNotEqualTo(oldKey);
        assertThat(vault.open(before, "profiles:p")).isEqualTo("old secret");
        assertThat(vault.isCurrent(before)).isFalse();
        assertThat(Files.getPosixFilePermissions(dir.resolve("master.key.old"))).isEqualTo(Set.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE));
        vault.forgetOldKeys();
        assertThatThrownBy(() -> vault.open(before, "profiles:p"))
                .isInstanceOf(TokenVault.SealBrokenException.class)
                .satisfies(e -> assertThat(((TokenVault.SealBrokenException) e).unknownKey()).isTrue());
    }

    @Test
    void another_process_rotating_the_key_file_is_picked_up() throws Exception {
        TokenVault server = fileVault();
        TokenVault command = fileVault();
        String sealedByServer = server.seal("s", "profiles:p");
        command.rotateKeyFile();
        Thread.sleep(20);
        Files.setLastModifiedTime(dir.resolve("master.key"), java.nio.file.attribute.FileTime.fromMillis(System.currentTimeMillis()));
        assertThat(server.keyId()).isEqualTo(command.keyId());
        assertThat(command.open(sealedByServer, "profiles:p")).isEqualTo("s");
    }

    @Test
    void a_master_key_from_the_environment_must_be_256_bits_of_base64() {
        assertThatThrownBy(() -> new TokenVault("c2hvcnQ=", "", null))
                .hasMessageContaining("SIGNALBOX_MASTER_KEY must decode to 32 bytes");
        assertThatThrownBy(() -> new TokenVault("not base64 at all!", "", null))
                .hasMessageContaining("SIGNALBOX_MASTER_KEY must be base64");
    }
}
