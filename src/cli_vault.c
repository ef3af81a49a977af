/*
 * cli_vault.c - the CLI's vault file: created private (0600), never
 * through a symlink, never another user's; one JSON record per new
 * placeholder. The file holds raw values by design: it is the way back.
 */
#include "cli.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

FILE *cli_vault_create(const char *path, const char *cmd)
{
    struct stat sb;
    FILE *f;
    int fd = open(path, O_WRONLY | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);

    if (fd < 0) {
        cli_error(cmd, "%s: %s", path, strerror(errno));
        return NULL;
    }
    if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode) ||
        sb.st_uid != geteuid()) {
        cli_error(cmd, "%s: not a regular file of this user: refusing to "
                  "write a vault there", path);
        close(fd);
        return NULL;
    }
    if (fchmod(fd, 0600) != 0 || ftruncate(fd, 0) != 0) {
        cli_error(cmd, "%s: %s", path, strerror(errno));
        close(fd);
        return NULL;
    }
    f = fdopen(fd, "w");
    if (f == NULL) {
        cli_error(cmd, "%s: %s", path, strerror(errno));
        close(fd);
    }
    return f;
}

int cli_vault_write(const char *ph, size_t plen, const char *val,
                    size_t vlen, void *userdata)
{
    FILE *f = userdata;

    fputs("{\"placeholder\":", f);
    cli_json_str(f, ph, plen);
    fputs(",\"value\":", f);
    cli_json_str(f, val, vlen);
    fputs("}\n", f);
    return ferror(f) ? BB_EIO : 0;
}
