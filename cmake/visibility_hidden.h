// Included first into every firmware source (cmake/flags.cmake, -include): every symbol,
// defined here or only declared, has hidden visibility. xenboot is one static PIE, so
// nothing is ever preempted; without this GCC reaches every global object declared in
// another file through the GOT (about 700 entries, 5.6 KB, each a relocation) because it
// must assume the definition could live in a shared object. -fvisibility=hidden alone
// covers only definitions; the pragma covers declarations too.
#pragma GCC visibility push(hidden)
