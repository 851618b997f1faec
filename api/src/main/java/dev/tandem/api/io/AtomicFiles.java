package dev.tandem.api.io;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.UUID;

/**
 * Crash-safe writes: a reader sees either the old content or the complete new content, never a
 * half-written file or directory.
 *
 * <p>Files are written to {@code <file>.tmp} in the same directory, forced to disk, then renamed
 * over the target with {@link StandardCopyOption#ATOMIC_MOVE}. Directories are staged in a sibling
 * {@code <dir>.tmp-<random>} and swapped in with {@link #replaceDirectory(Path, Path)}.
 */
public final class AtomicFiles {
  private AtomicFiles() {}

  /** Writes the content of a file through a channel. */
  @FunctionalInterface
  public interface ChannelWriter {
    /** Writes everything to {@code channel}, which is positioned at 0 of an empty file. */
    void writeTo(FileChannel channel) throws IOException;
  }

  /**
   * Writes {@code file} atomically: {@code writer} fills {@code <file>.tmp}, which is forced to disk
   * and renamed onto {@code file} (replacing it). On failure the temporary file is removed and
   * {@code file} is untouched.
   */
  public static void write(Path file, ChannelWriter writer) throws IOException {
    Path target = file.toAbsolutePath();
    Path dir = target.getParent();
    Files.createDirectories(dir);
    Path tmp = dir.resolve(target.getFileName() + ".tmp");
    try {
      try (FileChannel ch =
          FileChannel.open(
              tmp,
              StandardOpenOption.CREATE,
              StandardOpenOption.TRUNCATE_EXISTING,
              StandardOpenOption.WRITE)) {
        writer.writeTo(ch);
        ch.force(true);
      }
      Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (IOException | RuntimeException | Error e) {
      try {
        Files.deleteIfExists(tmp);
      } catch (IOException suppressed) {
        e.addSuppressed(suppressed);
      }
      throw e;
    }
    syncDirectory(dir);
  }

  /** Writes {@code content} as UTF-8 to {@code file} atomically. */
  public static void writeString(Path file, String content) throws IOException {
    byte[] bytes = content.getBytes(StandardCharsets.UTF_8);
    write(file, ch -> writeFully(ch, ByteBuffer.wrap(bytes)));
  }

  /** Writes all remaining bytes of {@code buffer} to {@code channel}. */
  public static void writeFully(FileChannel channel, ByteBuffer buffer) throws IOException {
    while (buffer.hasRemaining()) {
      channel.write(buffer);
    }
  }

  /** Fills a directory: what {@link #writeDirectory} calls on the staging directory. */
  @FunctionalInterface
  public interface DirectoryWriter {
    /** Writes every file into {@code dir}, an empty existing directory. */
    void writeInto(Path dir) throws IOException;
  }

  /**
   * Writes the directory {@code dir} atomically: {@code writer} fills a {@link #stagingDirectory},
   * which then {@link #replaceDirectory replaces} {@code dir}. On failure the staging directory is
   * deleted and {@code dir} is untouched.
   */
  public static void writeDirectory(Path dir, DirectoryWriter writer) throws IOException {
    Path staged = stagingDirectory(dir);
    try {
      writer.writeInto(staged);
      replaceDirectory(staged, dir);
    } catch (IOException | RuntimeException | Error e) {
      try {
        deleteRecursively(staged);
      } catch (IOException suppressed) {
        e.addSuppressed(suppressed);
      }
      throw e;
    }
  }

  /**
   * Creates an empty staging directory {@code <dir>.tmp-<random>} beside {@code dir}, to be filled
   * and then passed to {@link #replaceDirectory(Path, Path)}.
   */
  public static Path stagingDirectory(Path dir) throws IOException {
    Path target = dir.toAbsolutePath();
    Files.createDirectories(target.getParent());
    return Files.createDirectory(sibling(target, ".tmp-"));
  }

  /**
   * Puts the complete directory {@code staged} in place of {@code dir}: if {@code dir} exists it is
   * renamed aside to {@code <dir>.old-<random>}, {@code staged} is renamed to {@code dir}, and the
   * old directory is deleted. A crash leaves either the old or the new directory complete (plus
   * leftovers named {@code .tmp-} or {@code .old-}), never a half-written {@code dir}.
   */
  public static void replaceDirectory(Path staged, Path dir) throws IOException {
    Path target = dir.toAbsolutePath();
    if (Files.exists(target) && !Files.isDirectory(target)) {
      throw new IOException(target + ": exists and is not a directory");
    }
    Path old = null;
    if (Files.exists(target)) {
      old = sibling(target, ".old-");
      Files.move(target, old, StandardCopyOption.ATOMIC_MOVE);
    }
    try {
      Files.move(staged, target, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException | RuntimeException e) {
      if (old != null) {
        try {
          Files.move(old, target, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException suppressed) {
          e.addSuppressed(suppressed);
        }
      }
      throw e;
    }
    syncDirectory(target.getParent());
    if (old != null) {
      deleteRecursively(old);
    }
  }

  /** Deletes a file or a directory tree; a missing path is not an error. */
  public static void deleteRecursively(Path path) throws IOException {
    if (!Files.exists(path, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    Files.walkFileTree(
        path,
        new SimpleFileVisitor<>() {
          @Override
          public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
            Files.deleteIfExists(file);
            return FileVisitResult.CONTINUE;
          }

          @Override
          public FileVisitResult postVisitDirectory(Path d, IOException e) throws IOException {
            if (e != null) {
              throw e;
            }
            try {
              Files.deleteIfExists(d);
            } catch (DirectoryNotEmptyException | NoSuchFileException ignored) {
              // a concurrent writer; leave it
            }
            return FileVisitResult.CONTINUE;
          }
        });
  }

  private static Path sibling(Path target, String infix) {
    String random = UUID.randomUUID().toString().substring(0, 8);
    return target.resolveSibling(target.getFileName() + infix + random);
  }

  /** Forces a directory's entries to disk where the platform allows it (Linux does). */
  private static void syncDirectory(Path dir) {
    try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
      ch.force(true);
    } catch (IOException | UnsupportedOperationException ignored) {
      // not supported on this platform (e.g. Windows); the rename itself is still atomic
    }
  }
}
