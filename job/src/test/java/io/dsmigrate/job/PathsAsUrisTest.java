package io.dsmigrate.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.typesafe.config.ConfigException;
import io.dsmigrate.job.fs.Locations;
import io.dsmigrate.job.spec.Names;
import java.net.URI;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.security.UserGroupInformation;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Every setting and spec path is read as Spark reads it: a path without a scheme is on the default
 * file system ({@code fs.defaultFS}), a relative one against its working directory. Nothing here
 * needs the file system to answer: HDFS paths are only resolved, never opened.
 */
class PathsAsUrisTest {
  private static final String NAMENODE = "hdfs://127.0.0.1:1";

  @AfterEach
  void backToTheLocalDefault() {
    Locations.use(Locations.of(new Configuration()));
  }

  private static Map<String, String> onHdfs(Map<String, String> more) {
    Map<String, String> settings = new LinkedHashMap<>();
    settings.put("dsmigrate.spark.conf.\"spark.hadoop.fs.defaultFS\"", NAMENODE);
    settings.put(
        "dsmigrate.spark.conf.\"spark.hadoop.hive.metastore.uris\"", "thrift://127.0.0.1:2");
    settings.putAll(more);
    return settings;
  }

  @Test
  void pathsWithoutASchemeAreOnTheDefaultFileSystem() throws Exception {
    Configuration conf = new Configuration();
    conf.set("fs.defaultFS", NAMENODE);
    Locations hdfs = Locations.of(conf);
    String home = "/user/" + UserGroupInformation.getCurrentUser().getShortUserName();

    assertThat(hdfs.workingDirectory()).isEqualTo(URI.create(NAMENODE + home));
    assertThat(hdfs.qualify("/data/legacy/")).isEqualTo(NAMENODE + "/data/legacy");
    assertThat(hdfs.qualify("work/../dsmigrate")).isEqualTo(NAMENODE + home + "/dsmigrate");
    assertThat(hdfs.qualify("hdfs:///data/x")).isEqualTo(NAMENODE + "/data/x");
    assertThat(hdfs.qualify("hdfs://other:8020/data/x")).isEqualTo("hdfs://other:8020/data/x");
    assertThat(hdfs.qualify("file:///tmp/x/")).isEqualTo("file:/tmp/x");
    assertThat(hdfs.qualify("s3a://bucket/data/")).isEqualTo("s3a://bucket/data");
    assertThat(hdfs.isLocal("/tmp/x")).isFalse();
    assertThatThrownBy(() -> hdfs.local("/tmp/x", "the demo's workdir"))
        .hasMessage(
            "the demo's workdir must be on the local file system, not "
                + NAMENODE
                + "/tmp/x; give a local path");

    Locations local = Locations.of(new Configuration());
    assertThat(local.qualify("/tmp/x/")).isEqualTo("file:/tmp/x");
    // Hadoop's form, which Hadoop's file systems read back: not URI-escaped.
    assertThat(local.qualify("/tmp/my plans/it's.json")).isEqualTo("file:/tmp/my plans/it's.json");
    assertThat(local.local("/tmp/my plans/it's.json", "the plan"))
        .isEqualTo(java.nio.file.Path.of("/tmp/my plans/it's.json"));
    assertThat(hdfs.qualify("/data/a b")).isEqualTo(NAMENODE + "/data/a b");
    // Compared as the metastore spells locations: escaped.
    assertThat(hdfs.uri("/data/a b/")).isEqualTo(NAMENODE + "/data/a%20b");
    assertThat(local.qualify("rel")).isEqualTo("file:" + new java.io.File("rel").getAbsolutePath());
  }

  @Test
  void settingsPathsAreUrisOnTheClustersDefaultFileSystemAndItsOwnWarehouse() {
    Settings settings =
        Settings.load(
            null,
            onHdfs(
                Map.of(
                    "dsmigrate.workdir",
                    "/user/dsmigrate",
                    "dsmigrate.snapshots.dir",
                    "hdfs:///user/dsmigrate/snapshots",
                    "dsmigrate.security.path-roots.0",
                    "/data/legacy")));

    assertThat(settings.workdir()).isEqualTo(NAMENODE + "/user/dsmigrate");
    assertThat(settings.snapshotsDir()).isEqualTo(NAMENODE + "/user/dsmigrate/snapshots");
    assertThat(settings.ledger().directory()).isEqualTo(NAMENODE + "/user/dsmigrate/ledger");
    assertThat(settings.ledger().controlDirectory())
        .isEqualTo(NAMENODE + "/user/dsmigrate/control");
    assertThat(settings.plansDir()).isEqualTo(NAMENODE + "/user/dsmigrate/plans");
    assertThat(settings.embeddedMetastore()).isFalse();
    assertThat(settings.defaultWarehouse())
        .as("a named metastore keeps the cluster's warehouse")
        .isEmpty();
    // A spec's /data/legacy/x is where Spark writes it: on HDFS, not on the driver's disk.
    assertThat(Names.path("/data/legacy/orders")).isEqualTo(NAMENODE + "/data/legacy/orders");
    assertThat(settings.security().pathRefusal("/data/legacy/orders")).isNull();
    assertThat(settings.security().pathRefusal(NAMENODE + "/data/legacy/orders")).isNull();
    assertThat(settings.security().pathRefusal("file:/data/legacy/orders")).isNotNull();
    assertThat(settings.reservedLocations().locationRefusal("/user/dsmigrate/snapshots/x"))
        .contains("dsmigrate.snapshots.dir");
  }

  @Test
  void theEmbeddedMetastoreKeepsALocalWorkdirAndWarehouse() {
    assertThatThrownBy(
            () ->
                Settings.load(
                    null,
                    Map.of(
                        "dsmigrate.spark.conf.\"spark.hadoop.fs.defaultFS\"",
                        NAMENODE,
                        "dsmigrate.workdir",
                        "/user/dsmigrate")))
        .isInstanceOf(ConfigException.BadValue.class)
        .hasMessageContaining("dsmigrate.workdir")
        .hasMessageContaining(NAMENODE + "/user/dsmigrate, not a local directory")
        .hasMessageContaining("spark.hadoop.hive.metastore.uris");

    Settings local = Settings.load(null, Map.of("dsmigrate.workdir", "/tmp/dsmigrate-paths"));
    assertThat(local.embeddedMetastore()).isTrue();
    assertThat(local.defaultWarehouse()).contains("file:/tmp/dsmigrate-paths/warehouse");
  }

  @Test
  void aLedgerOnAFileSystemWithoutAtomicCreateIsRefusedAtStartUp() {
    assertThatThrownBy(
            () ->
                Settings.load(
                    null, onHdfs(Map.of("dsmigrate.ledger.dir", "s3a://bucket/dsmigrate/ledger"))))
        .isInstanceOf(ConfigException.BadValue.class)
        .hasMessageContaining("dsmigrate.ledger.dir")
        .hasMessageContaining(
            "the ledger at s3a://bucket/dsmigrate/ledger is on a s3a: file system")
        .hasMessageContaining("add 's3a' to dsmigrate.ledger.atomic-schemes");
    // A workdir on an object store takes the ledger with it unless the ledger is put elsewhere.
    assertThatThrownBy(
            () ->
                Settings.load(null, onHdfs(Map.of("dsmigrate.workdir", "s3a://bucket/dsmigrate"))))
        .hasMessageContaining(
            "the ledger at s3a://bucket/dsmigrate/ledger is on a s3a: file system");

    Settings split =
        Settings.load(
            null,
            onHdfs(
                Map.of(
                    "dsmigrate.workdir",
                    "s3a://bucket/dsmigrate",
                    "dsmigrate.ledger.dir",
                    "/dsmigrate/ledger")));
    assertThat(split.ledger().directory()).isEqualTo(NAMENODE + "/dsmigrate/ledger");
    assertThat(split.snapshotsDir()).isEqualTo("s3a://bucket/dsmigrate/snapshots");
  }
}
