package dev.tandem.api.inject;

import static org.junit.jupiter.api.Assertions.assertFalse;

import com.google.inject.Binder;
import java.lang.reflect.Modifier;
import org.junit.jupiter.api.Test;

/** Objectives have one registration path: ServiceLoader (or the builder without discovery), not a Guice module. */
class ObjectiveRegistrationTest {
  @Test
  void noModuleCanAddASecondPath() throws Exception {
    var m = Registries.class.getDeclaredMethod("objectives", Binder.class);
    assertFalse(Modifier.isPublic(m.getModifiers()), "the objectives' MapBinder is the facade's own");
  }
}
