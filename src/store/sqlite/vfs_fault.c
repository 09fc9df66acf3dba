/*
 * vfs_fault.c — a test switch of the "yibao" VFS that makes the
 * disk fail: issue 14 asks that a write failing with an I/O error (not
 * only a full disk) is answered 503, changes nothing, and that the
 * server recovers, and a real failing disk cannot be had on demand.
 *
 * Off unless the environment variable YB_TEST_IO_FAULT names a file
 * (read once, when the VFS is registered; docs/RELIABILITY.md).  Then,
 * while that file exists, the database's and the WAL's writes fail with
 * SQLITE_IOERR_WRITE and their syncs with SQLITE_IOERR_FSYNC, before
 * anything reaches the real file — as a disk that returns EIO.  The
 * file's first byte narrows it: 'w' writes only, 's' syncs only.  A test
 * creates and deletes the file while the server runs.  Without the
 * variable the hook is one branch on a NULL pointer.
 */
#include "store/sqlite/sqlite_int.h"

#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

static const char *fault_path;

void sq_vfs_fault_init(void)
{
	const char *p = getenv("YB_TEST_IO_FAULT");

	fault_path = p && *p ? p : NULL;
}

int sq_vfs_fault(bool sync)
{
	char mode = 0;
	int fd;

	if (!fault_path)
		return SQLITE_OK;
	fd = open(fault_path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return SQLITE_OK;        /* no switch file: the disk is fine */
	if (read(fd, &mode, 1) != 1)
		mode = 0;
	close(fd);
	if (sync)
		return mode == 'w' ? SQLITE_OK : SQLITE_IOERR_FSYNC;
	return mode == 's' ? SQLITE_OK : SQLITE_IOERR_WRITE;
}
