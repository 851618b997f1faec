package dev.tandem.api.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AtomicFilesTest {
  @TempDir Path dir;

  @Test
  void aFailingWriterLeavesTheOldFileAndNoTemporary() throws IOException {
    Path f = dir.resolve("state.json");
    AtomicFiles.writeString(f, "old");
    IOException e =
        assertThrows(
            IOException.class,
            () ->
                AtomicFiles.write(
                    f,
                    ch -> {
                      AtomicFiles.writeFully(ch, ByteBuffer.wrap("half".getBytes()));
                      throw new IOException("disk full");
                    }));
    assertEquals("disk full", e.getMessage());
    assertEquals("old", Files.readString(f));
    try (var files = Files.list(dir)) {
      assertEquals(List.of(f), files.toList());
    }
  }

  @Test
  void replaceDirectorySwapsAStagedDirectoryIn() throws IOException {
    Path target = dir.resolve("out");
    Path staged = AtomicFiles.stagingDirectory(target);
    assertTrue(staged.getFileName().toString().startsWith("out.tmp-"), staged.toString());
    Files.writeString(staged.resolve("a"), "1");
    AtomicFiles.replaceDirectory(staged, target);
    assertEquals("1", Files.readString(target.resolve("a")));

    Path again = AtomicFiles.stagingDirectory(target);
    Files.writeString(again.resolve("b"), "2");
    AtomicFiles.replaceDirectory(again, target);
    try (var files = Files.list(target)) {
      assertEquals(List.of(target.resolve("b")), files.toList());
    }
    try (var files = Files.list(dir)) {
      assertEquals(List.of(target), files.toList());
    }
  }
}
