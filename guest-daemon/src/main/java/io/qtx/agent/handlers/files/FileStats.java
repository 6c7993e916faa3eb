package io.qtx.agent.handlers.files;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.Map;

import io.qtx.agent.handlers.Users;
import io.qtx.proto.FileStat;
import io.qtx.proto.FileType;

/** A FileStat from the JDK's "unix" attribute view, which is lstat/stat underneath. */
final class FileStats {

    private static final int S_IFMT = 0170000;

    private FileStats() {
    }

    static FileStat of(Path path, String name, boolean follow, Users users) throws IOException {
        LinkOption[] options = follow ? new LinkOption[0] : new LinkOption[] {LinkOption.NOFOLLOW_LINKS};
        Map<String, Object> a = Files.readAttributes(path,
                "unix:mode,ino,nlink,uid,gid,size,lastModifiedTime,lastAccessTime,ctime", options);
        int mode = (Integer) a.get("mode");
        int uid = (Integer) a.get("uid");
        int gid = (Integer) a.get("gid");
        FileType type = type(mode);
        FileStat.Builder b = FileStat.newBuilder()
                .setName(name)
                .setType(type)
                .setSize((Long) a.get("size"))
                .setMode(mode & 07777)
                .setUid(uid)
                .setGid(gid)
                .setOwner(users.users().getOrDefault(uid, ""))
                .setGroup(users.groups().getOrDefault(gid, ""))
                .setModifiedUnixMs(((FileTime) a.get("lastModifiedTime")).toMillis())
                .setAccessedUnixMs(((FileTime) a.get("lastAccessTime")).toMillis())
                .setChangedUnixMs(((FileTime) a.get("ctime")).toMillis())
                .setInode((Long) a.get("ino"))
                .setLinkCount((Integer) a.get("nlink"));
        if (type == FileType.FILE_TYPE_SYMLINK) {
            b.setSymlinkTarget(Files.readSymbolicLink(path).toString());
        }
        return b.build();
    }

    static FileType type(int mode) {
        return switch (mode & S_IFMT) {
            case 0100000 -> FileType.FILE_TYPE_REGULAR;
            case 0040000 -> FileType.FILE_TYPE_DIRECTORY;
            case 0120000 -> FileType.FILE_TYPE_SYMLINK;
            case 0060000 -> FileType.FILE_TYPE_BLOCK_DEVICE;
            case 0020000 -> FileType.FILE_TYPE_CHAR_DEVICE;
            case 0010000 -> FileType.FILE_TYPE_FIFO;
            case 0140000 -> FileType.FILE_TYPE_SOCKET;
            default -> FileType.FILE_TYPE_UNSPECIFIED;
        };
    }
}
