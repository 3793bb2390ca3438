// The Linux system interfaces HTTPEngine needs that the Glibc module does not import.
#include <sys/epoll.h>
