package io.dsmigrate.job.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.typesafe.config.ConfigException;
import io.dsmigrate.job.Settings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SecuritySettingsTest {
  @TempDir Path temp;

  @Test
  void byDefaultNoFileReadsScriptsBesideTheirSpecAndPathsAnywhere() {
    SecuritySettings security = Settings.load(null, Map.of()).security();
    assertThat(security).isEqualTo(SecuritySettings.DEFAULT);
    assertThat(security.pathRefusal("/anywhere")).isNull();
    Path spec = temp.resolve("specs/orders.yaml");
    assertThat(
            security.scriptRefusal(
                temp.resolve("specs/sql/orders.sql").toString(), spec.toString()))
        .isNull();
    assertThat(
            security.scriptRefusal(temp.resolve("shared/orders.sql").toString(), spec.toString()))
        .isEqualTo(
            "script "
                + temp.resolve("shared/orders.sql")
                + " is not in "
                + temp.resolve("specs")
                + ", the directory of its spec file, where scripts are read from unless"
                + " dsmigrate.security.script-locations names other places");
  }

  @Test
  void configuredLocationsAndRootsAreWhatIsAllowed() throws Exception {
    Path file = temp.resolve("secure.conf");
    Files.writeString(
        file,
        """
        dsmigrate.security {
          allow-file-reads = true
          script-locations = [ "%1$s/sql", "hdfs://namenode/dsmigrate/sql" ]
          path-roots = [ "%1$s/data" ]
        }
        """
            .formatted(temp));
    SecuritySettings security = Settings.load(file.toFile(), Map.of()).security();
    assertThat(security.allowFileReads()).isTrue();
    assertThat(security.scriptRefusal("hdfs://namenode/dsmigrate/sql/a.sql", null)).isNull();
    assertThat(security.scriptRefusal(temp + "/specs/a.sql", temp + "/specs/a.yaml"))
        .isEqualTo(
            "script "
                + temp
                + "/specs/a.sql is not under dsmigrate.security.script-locations ("
                + temp
                + "/sql, hdfs://namenode/dsmigrate/sql)");
    assertThat(security.pathRefusal(temp + "/data/orders")).isNull();
    assertThat(security.pathRefusal(temp + "/data/../elsewhere"))
        .isEqualTo(
            temp
                + "/data/../elsewhere is not under dsmigrate.security.path-roots ("
                + temp
                + "/data)");
  }

  @Test
  void aBadLocationNamesTheFileAndLine() throws Exception {
    Path file = temp.resolve("bad.conf");
    Files.writeString(file, "dsmigrate.security {\n  path-roots = [ \"/data\", \"\" ]\n}\n");
    assertThatThrownBy(() -> Settings.load(file.toFile(), Map.of()))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("bad.conf: 2")
        .hasMessageContaining("dsmigrate.security.path-roots")
        .hasMessageContaining("an empty location");
    assertThat(new SecuritySettings(false, null, List.of("/data")).scriptLocations()).isEmpty();
  }
}
