package io.dsmigrate.job.ledger;

import static org.assertj.core.api.Assertions.assertThat;

import io.dsmigrate.job.spec.SpecLoader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two dataset ids never share a ledger or snapshot directory: names are kept for safe ids (ledgers
 * already on disk), hashed for the rest and for safe ids that look hashed, and ids that differ only
 * in letter case are refused when specs load.
 */
class DatasetDirectoryNamesTest {
  @TempDir Path temp;

  @Test
  void safeIdsKeepTheirNamesSoLedgersOnDiskAreFound() {
    assertThat(LedgerFiles.safeName("orders")).isEqualTo("orders");
    assertThat(LedgerFiles.safeName("sales.orders_2024-v1")).isEqualTo("sales.orders_2024-v1");
    assertThat(LedgerFiles.safeName("xorders-v2")).isEqualTo("xorders-v2");
  }

  @Test
  void anIdThatLooksLikeTheHashedNameOfAnotherIdGetsADirectoryOfItsOwn() {
    String hashed = LedgerFiles.safeName("a/b");
    assertThat(hashed).matches("xa_b-[0-9a-f]{12}");
    // The id spelled like that hashed name is hashed in turn, so the two never meet.
    assertThat(LedgerFiles.safeName(hashed)).isNotEqualTo(hashed).startsWith("x" + hashed + "-");
    assertThat(LedgerFiles.safeName("xa_b-0123456789ab")).isNotEqualTo("xa_b-0123456789ab");
    assertThat(LedgerFiles.safeName("a b")).isNotEqualTo(LedgerFiles.safeName("a_b"));
  }

  @Test
  void idsThatDifferOnlyInLetterCaseAreRefusedAtTheirLines() throws IOException {
    Path file = temp.resolve("ids.yaml");
    Files.writeString(
        file,
        """
        datasets:
          - id: Orders
            source: { table: legacy.orders }
            target: { table: sales.orders }
          - id: orders
            source: { table: legacy.orders2 }
            target: { table: sales.orders2 }
        """);
    assertThat(SpecLoader.load(List.of(file)).problems())
        .extracting(Object::toString)
        .containsExactly(
            file
                + ":5: orders: id: 'orders' differs from the id 'Orders' at "
                + file
                + ":2 only in letter case; ids name the datasets' ledger and snapshot"
                + " directories, which a case-insensitive file system would merge. Give ids that"
                + " differ in more than case");
  }
}
