package io.dsmigrate.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * The README is what a newcomer reads first: its command table must name every command with the
 * options that command's {@code --help} shows, it stays a ten-minute read, and no link in it or in
 * {@code docs/} points nowhere.
 */
class ReadmeTest {
  private static final Path ROOT = Path.of("..");
  private static final Pattern OPTION = Pattern.compile("(?<![\\w-])(--[a-z][a-z0-9-]*|-[A-Z])");
  private static final Pattern LINK = Pattern.compile("\\[[^\\]]*\\]\\(([^)\\s]+)\\)");

  /** The rows of the README's command table: command name to the options column. */
  private static Map<String, String> commandTable(String readme) {
    Map<String, String> rows = new LinkedHashMap<>();
    boolean inTable = false;
    for (String line : readme.split("\n")) {
      if (line.startsWith("| command | options |")) {
        inTable = true;
        continue;
      }
      if (inTable && !line.startsWith("|")) {
        break;
      }
      if (inTable && !line.startsWith("|---")) {
        // Cells are split on | that is not escaped (\| is an alternative inside a cell).
        String[] cells = line.split("(?<!\\\\)\\|");
        rows.put(cells[1].strip().replace("`", ""), cells[2]);
      }
    }
    return rows;
  }

  private static Set<String> optionsIn(String text) {
    Set<String> out = new TreeSet<>();
    Matcher m = OPTION.matcher(text);
    while (m.find()) {
      out.add(m.group(1));
    }
    return out;
  }

  @Test
  void theCommandTableListsEveryCommandWithTheOptionsItsHelpShows() throws IOException {
    String readme = Files.readString(ROOT.resolve("README.md"));
    Map<String, String> table = commandTable(readme);
    CommandLine cli = new CommandLine(new Dsmigrate());
    assertThat(table.keySet())
        .as("the README's command table against the commands of the CLI")
        .containsExactlyInAnyOrderElementsOf(cli.getSubcommands().keySet());

    // The options every command takes are said once, before the table.
    Matcher common =
        Pattern.compile("Every command also takes([^|]*?)\\.\\s*\\n\\s*\\n").matcher(readme);
    assertThat(common.find()).as("the README says which options every command takes").isTrue();
    CommandSpec demo = cli.getSubcommands().get("demo").getCommandSpec();
    Set<String> commonNames = new TreeSet<>();
    for (OptionSpec option : demo.mixins().get("common").options()) {
      commonNames.addAll(List.of(option.names()));
    }
    assertThat(optionsIn(common.group(1))).isEqualTo(commonNames);

    List<String> mismatches = new ArrayList<>();
    for (Map.Entry<String, CommandLine> command : cli.getSubcommands().entrySet()) {
      CommandSpec spec = command.getValue().getCommandSpec();
      String help = command.getValue().getUsageMessage(CommandLine.Help.Ansi.OFF);
      Set<String> listed = optionsIn(table.get(command.getKey()));
      Set<String> known = new TreeSet<>();
      for (OptionSpec option : spec.options()) {
        if (option.usageHelp()
            || option.versionHelp()
            || commonNames.contains(option.longestName())) {
          continue;
        }
        known.addAll(List.of(option.names()));
        if (List.of(option.names()).stream().noneMatch(listed::contains)) {
          mismatches.add(command.getKey() + ": " + option.longestName() + " is not in the README");
        }
        assertThat(help).contains(option.longestName());
      }
      for (String name : listed) {
        if (!known.contains(name)) {
          mismatches.add(
              command.getKey() + ": the README lists " + name + ", --help has no such option");
        }
      }
    }
    assertThat(mismatches).isEmpty();
  }

  @Test
  void theReadmeIsATenMinuteRead() throws IOException {
    String readme = Files.readString(ROOT.resolve("README.md"));
    // About 250 words a minute for technical text: the design detail belongs in docs/.
    assertThat(readme.split("\\s+").length).isLessThan(2_500);
  }

  @Test
  void everyLinkOfTheReadmeAndTheDocsLeadsSomewhere() throws IOException {
    List<Path> pages = new ArrayList<>();
    pages.add(ROOT.resolve("README.md"));
    try (Stream<Path> docs = Files.list(ROOT.resolve("docs"))) {
      docs.filter(p -> p.toString().endsWith(".md")).sorted().forEach(pages::add);
    }
    assertThat(pages).hasSizeGreaterThan(5);
    List<String> broken = new ArrayList<>();
    for (Path page : pages) {
      String text = Files.readString(page);
      Matcher link = LINK.matcher(text);
      while (link.find()) {
        String target = link.group(1);
        if (target.startsWith("http://") || target.startsWith("https://")) {
          continue;
        }
        String file = target.contains("#") ? target.substring(0, target.indexOf('#')) : target;
        String anchor = target.contains("#") ? target.substring(target.indexOf('#') + 1) : null;
        Path linked = file.isEmpty() ? page : page.getParent().resolve(file).normalize();
        if (!Files.exists(linked)) {
          broken.add(page.getFileName() + ": " + target + " (no such file)");
        } else if (anchor != null && !anchors(linked).contains(anchor)) {
          broken.add(page.getFileName() + ": " + target + " (no such heading)");
        }
      }
    }
    assertThat(broken).isEmpty();
  }

  /** GitHub's anchors of a page's headings: lower case, punctuation dropped, spaces as -. */
  private static Set<String> anchors(Path page) throws IOException {
    Set<String> out = new TreeSet<>();
    for (String line : Files.readAllLines(page)) {
      if (line.startsWith("#")) {
        String heading = line.replaceFirst("^#+\\s*", "").strip().toLowerCase(Locale.ROOT);
        out.add(heading.replaceAll("[^\\p{L}\\p{N}\\- _]", "").replace(' ', '-'));
      }
    }
    return out;
  }
}
