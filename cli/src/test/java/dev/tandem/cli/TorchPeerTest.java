package dev.tandem.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class TorchPeerTest {
  static final String REUSE = "glibc.malloc.mmap_max=0:glibc.malloc.trim_threshold=4294967296";

  @Test
  void thePeerLosesOnlyWhatTheLauncherAdded() {
    assertEquals("", TorchPeer.without(null, "glibc.malloc.hugetlb=1"));
    assertEquals("", TorchPeer.without("glibc.malloc.hugetlb=1", "glibc.malloc.hugetlb=1"));
    assertEquals("glibc.malloc.arena_max=2", TorchPeer.without("glibc.malloc.arena_max=2:glibc.malloc.hugetlb=1", "glibc.malloc.hugetlb=1"));
    assertEquals("glibc.malloc.hugetlb=2", TorchPeer.without("glibc.malloc.hugetlb=2:" + REUSE, REUSE));
    assertEquals("", TorchPeer.without("glibc.malloc.hugetlb=1:" + REUSE, "glibc.malloc.hugetlb=1:" + REUSE));
    // a user's own setting that the launcher's repeats stays
    assertEquals("glibc.malloc.hugetlb=1", TorchPeer.without("glibc.malloc.hugetlb=1:glibc.malloc.hugetlb=1", "glibc.malloc.hugetlb=1"));
  }
}
