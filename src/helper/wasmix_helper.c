/*
 * wasmix_helper.c: the wasmix-helper executable, installed in
 * $(LIBEXECDIR)/wasmix/: the process an isolated run of libwasmix spawns
 * to be the guest's first process (src/wasmix_spawn.c). It takes no
 * arguments; its fd 3 is the socket the embedder's library talks over.
 */
#include "wasmix_spawn.h"

int main(void)
{
	wasmix_helper_main(3);
}
