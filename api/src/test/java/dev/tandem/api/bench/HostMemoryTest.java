package dev.tandem.api.bench;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class HostMemoryTest {
  @Test
  void readsTheHugePageTunableAsGlibcDoesTheLastSettingCounting() {
    assertFalse(HostMemory.hugePagesRequested(null));
    assertFalse(HostMemory.hugePagesRequested(""));
    assertFalse(HostMemory.hugePagesRequested("glibc.malloc.arena_max=2"));
    assertTrue(HostMemory.hugePagesRequested("glibc.malloc.hugetlb=1"));
    assertTrue(HostMemory.hugePagesRequested("glibc.malloc.arena_max=2:glibc.malloc.hugetlb=2"));
    assertFalse(HostMemory.hugePagesRequested("glibc.malloc.hugetlb=0"));
    assertFalse(HostMemory.hugePagesRequested("glibc.malloc.hugetlb=1:glibc.malloc.hugetlb=0"));
    assertTrue(HostMemory.hugePagesRequested("glibc.malloc.hugetlb=0:glibc.malloc.hugetlb=1"));
  }

  @Test
  void peakRssIsMeasuredOnLinux() {
    if (java.nio.file.Files.isReadable(java.nio.file.Path.of("/proc/self/status"))) {
      assertTrue(HostMemory.peakRssBytes() > 1 << 20, "a JVM holds more than a MiB");
    }
  }
}
