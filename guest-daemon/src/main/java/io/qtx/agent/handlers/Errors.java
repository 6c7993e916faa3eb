package io.qtx.agent.handlers;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;

import io.qtx.agent.policy.Refusal;
import io.qtx.ffi.Errno;
import io.qtx.ffi.NativeException;
import io.qtx.proto.Error;
import io.qtx.proto.ErrorCode;
import io.qtx.proto.Response;

/** The one place failures become protocol errors. */
public final class Errors {

    private Errors() {
    }

    public static Response response(ErrorCode code, String message) {
        return Response.newBuilder().setError(Error.newBuilder().setCode(code).setMessage(message)).build();
    }

    public static Response of(Refusal r) {
        return response(r.code(), r.getMessage());
    }

    public static Response of(IOException e) {
        String message = describe(e);
        if (e instanceof NoSuchFileException) {
            return response(ErrorCode.ERROR_CODE_NOT_FOUND, message);
        }
        if (e instanceof AccessDeniedException) {
            return response(ErrorCode.ERROR_CODE_PERMISSION_DENIED, message);
        }
        if (e instanceof FileAlreadyExistsException || e instanceof DirectoryNotEmptyException
                || e instanceof NotDirectoryException) {
            return response(ErrorCode.ERROR_CODE_BAD_ARGUMENT, message);
        }
        if (e instanceof NativeException n) {
            int errno = n.errno();
            if (errno == Errno.ENOENT || errno == Errno.ESRCH) {
                return response(ErrorCode.ERROR_CODE_NOT_FOUND, message);
            }
            if (errno == Errno.EPERM || errno == Errno.EACCES) {
                return response(ErrorCode.ERROR_CODE_PERMISSION_DENIED, message);
            }
            if (errno == Errno.EINVAL) {
                return response(ErrorCode.ERROR_CODE_BAD_ARGUMENT, message);
            }
        }
        return response(ErrorCode.ERROR_CODE_INTERNAL, message);
    }

    /** "open /x: no such file" rather than the JDK's bare path. */
    static String describe(IOException e) {
        if (e instanceof NoSuchFileException f) {
            return f.getFile() + ": no such file or directory";
        }
        if (e instanceof AccessDeniedException f) {
            return f.getFile() + ": permission denied";
        }
        if (e instanceof FileAlreadyExistsException f) {
            return f.getFile() + ": already exists";
        }
        if (e instanceof DirectoryNotEmptyException f) {
            return f.getFile() + ": directory not empty (delete it with recursive)";
        }
        if (e instanceof NotDirectoryException f) {
            return f.getFile() + ": not a directory";
        }
        if (e instanceof FileSystemException f && f.getReason() != null) {
            return f.getFile() + ": " + f.getReason();
        }
        return String.valueOf(e.getMessage());
    }
}
