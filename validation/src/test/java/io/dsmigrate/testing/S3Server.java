package io.dsmigrate.testing;

import java.io.IOException;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * A real S3 API for tests: S3Proxy on 127.0.0.1, keeping its objects in memory, in a JVM of its
 * own. That JVM runs only S3Proxy's jar (laid out by the validation build), so the server never
 * meets Spark's classpath; the test JVM talks to it with Hadoop's S3A connector, as dsmigrate does
 * with an object store. Requests must be signed with {@link #ACCESS_KEY} and {@link #SECRET_KEY};
 * {@link #s3aSettings()} are the settings S3A needs to reach it.
 *
 * <p>{@link #start} returns once the server answers and holds the buckets asked for; its
 * configuration and log stay under the directory given, and {@link #close()} ends the JVM (and the
 * objects with it) and waits until it is gone. {@link #logTail} is for failure messages.
 */
public final class S3Server extends ServerJvm {
  /** The access key every request is signed with. */
  public static final String ACCESS_KEY = "dsmigrate-tests";

  /** The secret key every request is signed with. */
  public static final String SECRET_KEY = "dsmigrate-tests-secret";

  /** The region clients sign for; S3Proxy accepts any. */
  public static final String REGION = "us-east-1";

  private static final String NAME = "the tests' S3 server";
  private static final String MAIN = "org.gaul.s3proxy.Main";
  private static final Duration START_TIMEOUT = Duration.ofMinutes(1);
  // Jetty logs where it listens: "Started ServerConnector@...{127.0.0.1:PORT}"
  private static final Pattern PORT =
      Pattern.compile("Started ServerConnector@\\S+.*\\{127\\.0\\.0\\.1:(\\d+)}");

  private URI endpoint;

  private S3Server(Path dir, List<String> arguments) throws IOException {
    super(NAME, dir, dir.resolve("s3-server.log"), "384m", arguments);
  }

  /**
   * Starts a server on a free port of 127.0.0.1 that holds the (empty) {@code buckets}, its
   * configuration and log under {@code dir}, and waits until it answers.
   */
  public static S3Server start(Path dir, String... buckets)
      throws IOException, InterruptedException {
    Files.createDirectories(dir);
    Path configuration = dir.resolve("s3proxy.conf");
    Files.writeString(
        configuration,
        String.join(
            "\n",
            "s3proxy.endpoint=http://127.0.0.1:0",
            "s3proxy.authorization=aws-v2-or-v4",
            "s3proxy.identity=" + ACCESS_KEY,
            "s3proxy.credential=" + SECRET_KEY,
            // The AWS SDK sends checksum headers that S3Proxy does not know (x-amz-checksum-crc32
            // on DeleteObjects, which S3 requires); it would refuse the request (501).
            "s3proxy.ignore-unknown-headers=true",
            // Objects in memory, under flat keys as S3 keeps them. The file system backend maps
            // keys to directories: it cannot delete a directory marker ("dir/") while objects
            // below it remain, and retries each such delete for ten seconds.
            "jclouds.provider=transient",
            "jclouds.identity=" + ACCESS_KEY,
            "jclouds.credential=" + SECRET_KEY,
            ""));
    List<String> arguments =
        List.of(
            "-Djava.io.tmpdir=" + Files.createDirectories(dir.resolve("tmp")),
            // Logback's own start-up report is noise in the log.
            "-Dlogback.statusListenerClass=ch.qos.logback.core.status.NopStatusListener",
            "-cp",
            classpath(S3Server.class, "s3-server.properties", NAME),
            MAIN,
            "--properties",
            configuration.toString());
    S3Server server = new S3Server(dir, arguments);
    try {
      int port = server.awaitNumber(server.log(), PORT, START_TIMEOUT);
      server.endpoint = URI.create("http://127.0.0.1:" + port);
      server.awaitAnswer();
      for (String bucket : buckets) {
        server.createBucket(bucket);
      }
      return server;
    } catch (IOException | InterruptedException | RuntimeException | Error e) {
      server.close();
      throw e;
    }
  }

  /** Where the server listens, {@code http://127.0.0.1:PORT}. */
  public URI endpoint() {
    return endpoint;
  }

  /**
   * The settings with which Hadoop's S3A connector reaches this server ({@code fs.s3a.*}): its
   * endpoint over plain HTTP, buckets in the path rather than the host name, the test credentials
   * and few retries, so that a failure shows at once.
   */
  public Map<String, String> s3aSettings() {
    Map<String, String> settings = new LinkedHashMap<>();
    settings.put("fs.s3a.endpoint", endpoint.toString());
    settings.put("fs.s3a.endpoint.region", REGION);
    settings.put("fs.s3a.path.style.access", "true");
    settings.put("fs.s3a.connection.ssl.enabled", "false");
    settings.put(
        "fs.s3a.aws.credentials.provider", "org.apache.hadoop.fs.s3a.SimpleAWSCredentialsProvider");
    settings.put("fs.s3a.access.key", ACCESS_KEY);
    settings.put("fs.s3a.secret.key", SECRET_KEY);
    settings.put("fs.s3a.attempts.maximum", "2");
    settings.put("fs.s3a.retry.limit", "2");
    settings.put("fs.s3a.retry.interval", "100ms");
    return settings;
  }

  /**
   * Creates {@code bucket} with a request signed by hand (AWS signature version 2), so that the
   * harness needs no S3 client of its own.
   */
  private void createBucket(String bucket) throws IOException {
    String date =
        DateTimeFormatter.ofPattern("EEE, dd MMM yyyy HH:mm:ss 'GMT'", Locale.US)
            .format(ZonedDateTime.now(ZoneOffset.UTC));
    String contentType = "application/octet-stream";
    String signature;
    try {
      Mac mac = Mac.getInstance("HmacSHA1");
      mac.init(new SecretKeySpec(SECRET_KEY.getBytes(StandardCharsets.UTF_8), "HmacSHA1"));
      String signed = "PUT\n\n" + contentType + "\n" + date + "\n/" + bucket;
      signature =
          Base64.getEncoder().encodeToString(mac.doFinal(signed.getBytes(StandardCharsets.UTF_8)));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA1 is part of every JDK", e);
    }
    HttpURLConnection connection =
        (HttpURLConnection) endpoint.resolve("/" + bucket).toURL().openConnection();
    try {
      connection.setRequestMethod("PUT");
      connection.setRequestProperty("Date", date);
      connection.setRequestProperty("Content-Type", contentType);
      connection.setRequestProperty("Authorization", "AWS " + ACCESS_KEY + ":" + signature);
      connection.setDoOutput(true);
      connection.setFixedLengthStreamingMode(0);
      connection.getOutputStream().close();
      if (connection.getResponseCode() != HttpURLConnection.HTTP_OK) {
        throw new IllegalStateException(
            "The tests' S3 server did not create bucket "
                + bucket
                + ": HTTP "
                + connection.getResponseCode()
                + "\n"
                + logTail(30));
      }
    } finally {
      connection.disconnect();
    }
  }

  /** Waits until the server answers a request (an unsigned one: any HTTP status will do). */
  private void awaitAnswer() throws InterruptedException {
    long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
    IOException last = null;
    while (System.nanoTime() < deadline) {
      try {
        HttpURLConnection connection = (HttpURLConnection) endpoint.toURL().openConnection();
        connection.setConnectTimeout(1000);
        connection.setReadTimeout(5000);
        try {
          if (connection.getResponseCode() > 0) {
            return;
          }
        } finally {
          connection.disconnect();
        }
      } catch (IOException e) {
        last = e;
      }
      checkAlive("starting");
      Thread.sleep(100);
    }
    throw new IllegalStateException(
        "The tests' S3 server at "
            + endpoint
            + " did not answer within "
            + START_TIMEOUT
            + " ("
            + last
            + "):\n"
            + logTail(60));
  }
}
