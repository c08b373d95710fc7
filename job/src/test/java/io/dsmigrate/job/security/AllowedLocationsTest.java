package io.dsmigrate.job.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AllowedLocationsTest {
  @TempDir Path temp;

  @Test
  void noPrefixesAllowsEverything() {
    assertThat(AllowedLocations.of(List.of()).allows("/anywhere/at/all")).isTrue();
  }

  @Test
  void aLocationUnderAPrefixIsAllowedAndOneBesideItIsNot() throws Exception {
    Path data = Files.createDirectories(temp.resolve("data"));
    AllowedLocations roots = AllowedLocations.of(List.of(data.toString()));
    assertThat(roots.allows(data.resolve("legacy/orders").toString())).isTrue();
    assertThat(roots.allows(data.toUri().toString() + "legacy")).isTrue();
    assertThat(roots.allows("file:" + data)).isTrue();
    assertThat(roots.allows(temp.resolve("database/orders").toString()))
        .as("a prefix matches whole path segments")
        .isFalse();
    assertThat(roots.allows(temp.resolve("other").toString())).isFalse();
    assertThat(roots.allows("hdfs://namenode" + data)).as("another file system").isFalse();
    assertThat(roots.describe()).isEqualTo(data.toString());
  }

  @Test
  void dotDotCannotClimbOutOfAPrefix() throws Exception {
    Path data = Files.createDirectories(temp.resolve("data"));
    AllowedLocations roots = AllowedLocations.of(List.of(data.toString()));
    assertThat(roots.allows(data + "/legacy/../../etc/passwd")).isFalse();
    assertThat(roots.allows(data + "/legacy/../orders")).isTrue();
    AllowedLocations remote = AllowedLocations.of(List.of("hdfs://namenode/data"));
    assertThat(remote.allows("hdfs://namenode/data/x")).isTrue();
    assertThat(remote.allows("hdfs://NameNode/data/x")).as("host names ignore case").isTrue();
    assertThat(remote.allows("hdfs://namenode/data/../../etc")).isFalse();
    assertThat(remote.allows("hdfs://othernode/data/x")).isFalse();
  }

  @Test
  void aSymbolicLinkThatLeadsOutOfAPrefixIsNotUnderIt() throws Exception {
    Path data = Files.createDirectories(temp.resolve("data"));
    Path outside = Files.createDirectories(temp.resolve("outside"));
    Files.createSymbolicLink(data.resolve("link"), outside);
    AllowedLocations roots = AllowedLocations.of(List.of(data.toString()));
    assertThat(roots.allows(data.resolve("link/orders").toString())).isFalse();
    // ... and a prefix given through a link is compared where it leads.
    Files.createSymbolicLink(temp.resolve("alias"), data);
    assertThat(AllowedLocations.of(List.of(temp.resolve("alias").toString())).allows(data + "/x"))
        .isTrue();
  }

  @Test
  void aPrefixMustBeAPathOrAnAbsoluteUri() {
    assertThatThrownBy(() -> AllowedLocations.of(List.of(" ")))
        .hasMessageContaining("an empty location");
    assertThatThrownBy(() -> AllowedLocations.of(List.of("hdfs:relative")))
        .hasMessageStartingWith("'hdfs:relative' is not a");
  }
}
