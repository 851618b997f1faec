/*
 * Lets the oneMKL that libtorch links statically use its AVX-512/AVX2 GEMM kernels on AMD CPUs.
 *
 * oneMKL picks its kernels by CPU vendor as well as by instruction set: on a CPU that is not
 * GenuineIntel, mkl_serv_intel_cpu_true() answers 0 and sgemm runs a generic path, about a third of
 * the speed OpenBLAS reaches on the same AMD EPYC (measured in benchmarks/README.md). libtorch_cpu.so
 * exports these functions and calls them through its PLT, so a definition found earlier in the
 * global symbol scope replaces them. JNI_OnLoad puts this library into that scope (dlopen with
 * RTLD_NOLOAD | RTLD_GLOBAL); it must be loaded before libtorch (MklOnAmd does that). The kernels
 * still check the instruction set: a CPU without AVX-512 gets the AVX2 ones.
 *
 * Build (engine-djl/src/main/native/build.sh): cc -O2 -shared -fPIC -s -I$JAVA_HOME/include
 * -I$JAVA_HOME/include/linux -o libtandem_mkl_amd.so tandem_mkl_amd.c -Wl,--no-as-needed -ldl
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <jni.h>

/* The oldest versions of dlopen and dladdr, so that the library loads on glibc before 2.34 too. */
__asm__(".symver dlopen,dlopen@GLIBC_2.2.5");
__asm__(".symver dladdr,dladdr@GLIBC_2.2.5");

static volatile long calls;

int mkl_serv_intel_cpu_true(void) {
  calls++;
  return 1;
}

int mkl_serv_intel_cpu(void) {
  calls++;
  return 1;
}

static int promoted;

JNIEXPORT jint JNICALL JNI_OnLoad(JavaVM *vm, void *reserved) {
  Dl_info info;
  if (dladdr((void *) &mkl_serv_intel_cpu_true, &info) && info.dli_fname != NULL) {
    promoted = dlopen(info.dli_fname, RTLD_NOW | RTLD_NOLOAD | RTLD_GLOBAL) != NULL;
  }
  return JNI_VERSION_1_8;
}

/* Whether JNI_OnLoad made this library global. */
JNIEXPORT jboolean JNICALL Java_dev_tandem_engine_djl_MklOnAmd_promoted(JNIEnv *env, jclass cls) {
  return promoted ? JNI_TRUE : JNI_FALSE;
}

/* How many times oneMKL asked for the vendor through this library. */
JNIEXPORT jlong JNICALL Java_dev_tandem_engine_djl_MklOnAmd_calls(JNIEnv *env, jclass cls) {
  return calls;
}
