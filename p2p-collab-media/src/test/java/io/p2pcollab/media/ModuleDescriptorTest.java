package io.p2pcollab.media;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.module.ModuleDescriptor;
import java.lang.module.ModuleFinder;
import java.lang.module.ModuleReference;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The module exports the API package only; {@code internal} stays hidden. */
class ModuleDescriptorTest {

  @Test
  void onlyTheApiPackageIsExported() throws Exception {
    Path classes = Path.of(MediaServer.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    ModuleDescriptor descriptor =
        ModuleFinder.of(classes).findAll().stream()
            .map(ModuleReference::descriptor)
            .findFirst()
            .orElseThrow(() -> new AssertionError("no module-info.class in " + classes));

    assertThat(descriptor.name()).isEqualTo("io.p2pcollab.media");
    assertThat(descriptor.packages()).contains("io.p2pcollab.media", "io.p2pcollab.media.internal", "io.p2pcollab.media.internal.webrtc");
    assertThat(descriptor.exports())
        .singleElement()
        .satisfies(e -> {
          assertThat(e.source()).isEqualTo("io.p2pcollab.media");
          assertThat(e.isQualified()).isFalse();
        });
    assertThat(descriptor.opens()).isEmpty();
    assertThat(descriptor.requires())
        .extracting(ModuleDescriptor.Requires::name)
        .contains("io.p2pcollab.core", "webrtc.java", "jdk.httpserver");
  }
}
