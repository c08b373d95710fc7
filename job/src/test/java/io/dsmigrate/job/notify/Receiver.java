package io.dsmigrate.job.notify;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Executors;
import java.util.function.Consumer;

/**
 * A webhook receiver on 127.0.0.1 for tests: takes every POST, keeps its JSON body and its {@code
 * Idempotency-Key} header, and answers {@code status}.
 */
final class Receiver implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** One request as it came. */
  record Received(String idempotencyKey, String contentType, JsonNode body) {}

  private final HttpServer server;
  private final int status;
  private final List<Received> received = new ArrayList<>();
  private volatile Consumer<JsonNode> onReceipt = body -> {};

  private Receiver(int status) {
    this.status = status;
    try {
      server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    server.setExecutor(Executors.newFixedThreadPool(2));
    server.createContext(
        "/hook",
        exchange -> {
          try (exchange) {
            JsonNode body = JSON.readTree(exchange.getRequestBody().readAllBytes());
            onReceipt.accept(body);
            synchronized (received) {
              received.add(
                  new Received(
                      exchange.getRequestHeaders().getFirst("Idempotency-Key"),
                      exchange.getRequestHeaders().getFirst("Content-Type"),
                      body));
            }
            byte[] answer =
                (status == 200 ? "ok" : "down for maintenance").getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(status, answer.length);
            exchange.getResponseBody().write(answer);
          }
        });
    server.start();
  }

  /** A receiver that takes every notice (200). */
  static Receiver accepting() {
    return new Receiver(200);
  }

  /** A receiver that answers every notice with {@code status}. */
  static Receiver answering(int status) {
    return new Receiver(status);
  }

  /** The URL to set as {@code dsmigrate.notify.webhook.url}. */
  String url() {
    return "http://127.0.0.1:" + server.getAddress().getPort() + "/hook";
  }

  /** Runs {@code check} on each body as it arrives, before it is answered. */
  void onReceipt(Consumer<JsonNode> check) {
    this.onReceipt = check;
  }

  List<Received> received() {
    synchronized (received) {
      return List.copyOf(received);
    }
  }

  /** How many times each event key came. */
  Map<String, Integer> countsByKey() {
    Map<String, Integer> counts = new TreeMap<>();
    received().forEach(r -> counts.merge(r.body().get("event_key").asText(), 1, Integer::sum));
    return counts;
  }

  /** The one body of {@code key}. */
  JsonNode body(String key) {
    List<JsonNode> bodies =
        received().stream()
            .map(Received::body)
            .filter(b -> b.get("event_key").asText().equals(key))
            .toList();
    if (bodies.size() != 1) {
      throw new AssertionError(
          "expected one notice " + key + ", got " + bodies.size() + ": " + countsByKey());
    }
    return bodies.get(0);
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
