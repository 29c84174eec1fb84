package io.p2pcollab.core;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import io.p2pcollab.core.testing.Fixtures;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The per-neighbour serving budget, on the vectors the browser SDK passes too. */
class ServingBudgetTest {

  static Stream<JsonObject> scenarios() {
    return Fixtures.section("serving.json", "scenarios").stream();
  }

  private static ServingBudget.Config config(JsonObject scenario) {
    JsonObject c = Fixtures.load("serving.json").getAsJsonObject("defaultConfig").deepCopy();
    if (scenario.has("config")) {
      scenario.getAsJsonObject("config").entrySet().forEach(e -> c.add(e.getKey(), e.getValue()));
    }
    return new ServingBudget.Config(c.get("maxConcurrent").getAsInt(), c.get("burst").getAsInt(),
        c.get("perSecond").getAsDouble(), c.get("maxRefusals").getAsInt());
  }

  @Test
  void defaultConfigOfTheVectors_isTheJavaDefault() {
    assertThat(config(new JsonObject())).isEqualTo(ServingBudget.Config.defaults());
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("scenarios")
  void decisions_matchSharedVectors(JsonObject scenario) {
    ServingBudget budget = new ServingBudget(config(scenario));
    List<String> got = new ArrayList<>();
    for (JsonElement e : scenario.getAsJsonArray("events")) {
      JsonObject ev = e.getAsJsonObject();
      Instant at = Instant.ofEpochMilli(ev.get("atMs").getAsLong());
      got.add((ev.get("type").getAsString().equals("request")
          ? budget.request(at, ev.get("active").getAsInt())
          : budget.refuse(at)).name());
    }
    List<String> expected = new ArrayList<>();
    scenario.getAsJsonArray("expected").forEach(x -> expected.add(x.getAsString()));
    assertThat(got).as(scenario.get("why").getAsString()).isEqualTo(expected);
  }
}
