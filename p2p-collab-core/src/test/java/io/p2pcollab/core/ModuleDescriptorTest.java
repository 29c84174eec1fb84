package io.p2pcollab.core;

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
    // The directory the main classes were compiled to (target/classes), found from a main class.
    Path classes = Path.of(SignalingCodec.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    ModuleDescriptor descriptor =
        ModuleFinder.of(classes).findAll().stream()
            .map(ModuleReference::descriptor)
            .findFirst()
            .orElseThrow(() -> new AssertionError("no module-info.class in " + classes));

    assertThat(descriptor.name()).isEqualTo("io.p2pcollab.core");
    assertThat(descriptor.packages()).contains("io.p2pcollab.core", "io.p2pcollab.core.internal");
    assertThat(descriptor.exports())
        .singleElement()
        .satisfies(e -> {
          assertThat(e.source()).isEqualTo("io.p2pcollab.core");
          assertThat(e.isQualified()).isFalse();
        });
    assertThat(descriptor.opens()).isEmpty();
    assertThat(descriptor.requires())
        .extracting(ModuleDescriptor.Requires::name)
        .contains("com.google.gson", "org.slf4j");
  }
}
