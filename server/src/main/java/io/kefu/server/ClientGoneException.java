package io.kefu.server;

import io.kefu.ErrorCode;
import io.kefu.KefuException;

/** A whole answer stopped because its client closed the connection: nobody is left to tell, so nothing is written. */
final class ClientGoneException extends KefuException {
    ClientGoneException() {
        super(ErrorCode.CANCELLED, "the client closed its connection; generation stopped");
    }
}
