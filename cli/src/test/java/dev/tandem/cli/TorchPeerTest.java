package dev.tandem.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class TorchPeerTest {
  @Test
  void thePeerLosesOnlyTheHugePagesTheLauncherAdded() {
    assertEquals("", TorchPeer.withoutHugePages(null));
    assertEquals("", TorchPeer.withoutHugePages("glibc.malloc.hugetlb=1"));
    assertEquals("glibc.malloc.arena_max=2", TorchPeer.withoutHugePages("glibc.malloc.arena_max=2:glibc.malloc.hugetlb=1"));
    assertEquals("glibc.malloc.hugetlb=2", TorchPeer.withoutHugePages("glibc.malloc.hugetlb=2"));
  }
}
