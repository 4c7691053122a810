package dev.signalbox.vault;

import java.util.List;
import java.util.function.Consumer;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * Re-seals every secret under the current master key. Each row is swapped with a compare-and-set
 * on its old ciphertext, so a secret renewed meanwhile by a running node (a refreshed token) is
 * never overwritten with a stale one; the sweep repeats until no row is left under an old key.
 * Interrupted at any point, nothing is lost: old keys stay known until the sweep has finished.
 */
@Component
public class KeyRotation {

    public record Result(String keyId, int resealed) {}

    private final JdbcClient db;
    private final TokenVault vault;
    private final List<SealedColumn> columns;

    KeyRotation(JdbcClient db, TokenVault vault, List<SealedColumn> columns) {
        this.db = db;
        this.vault = vault;
        this.columns = columns;
    }

    /**
     * Key-file mode: makes a new key, then re-seals. Environment mode: the operator has already
     * set the new SIGNALBOX_MASTER_KEY and the old one in SIGNALBOX_OLD_MASTER_KEYS; this re-seals.
     */
    public Result rotate(Consumer<String> progress) {
        if (vault.usesKeyFile()) {
            vault.rotateKeyFile();
            progress.accept("New master key " + vault.keyId() + " written; re-sealing every secret");
        } else if (!vault.knowsOldKeys()) {
            progress.accept("Re-sealing under " + vault.keyId() + " (no old keys configured: secrets under another key will be reported)");
        }
        int total = 0;
        for (SealedColumn column : columns) {
            int done = resealColumn(column);
            total += done;
            progress.accept(column.table() + "." + column.secretColumn() + ": " + done + " re-sealed");
        }
        if (vault.usesKeyFile()) vault.forgetOldKeys();
        return new Result(vault.keyId(), total);
    }

    private int resealColumn(SealedColumn c) {
        String select = "select " + c.keyColumn() + ", " + c.secretColumn() + " from " + c.table()
                + " where " + c.secretColumn() + " is not null and " + c.secretColumn() + " not like :current limit 500";
        String update = "update " + c.table() + " set " + c.secretColumn() + " = :resealed where " + c.keyColumn() + " = :key and "
                + c.secretColumn() + " = :old";
        int done = 0;
        while (true) {
            List<String[]> batch = db.sql(select).param("current", "v1." + vault.keyId() + ".%")
                    .query((rs, n) -> new String[] {rs.getString(1), rs.getString(2)}).list();
            if (batch.isEmpty()) return done;
            for (String[] row : batch) {
                String aad = c.aadPrefix() + row[0];
                String resealed = vault.seal(vault.open(row[1], aad), aad);
                done += db.sql(update).param("resealed", resealed).param("key", row[0]).param("old", row[1]).update();
            }
        }
    }
}
