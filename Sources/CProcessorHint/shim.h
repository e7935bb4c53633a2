// A spin-wait hint for the processor (no library to link): x86's PAUSE, Arm's YIELD.
#ifndef CLSA_PROCESSOR_HINT_H
#define CLSA_PROCESSOR_HINT_H

/// Tells the processor that the calling thread is spinning on a memory location, so that it
/// saves power and leaves a hyper-threaded sibling its share of the core.
static inline void clsa_spin_pause(void) {
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#elif defined(__aarch64__) || defined(__arm__)
    __asm__ __volatile__("yield");
#endif
}

#endif
