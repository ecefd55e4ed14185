package org.medes.criu.image;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** criu_req encoding and strict criu_resp decoding, against hand-assembled wire bytes. */
class RpcMessagesTest {
    private static byte[] bytes(int... b) {
        byte[] out = new byte[b.length];
        for (int i = 0; i < b.length; i++) {
            out[i] = (byte) b[i];
        }
        return out;
    }

    @Test
    void dumpRequestHasTypeAndOptionsInFieldOrder() {
        RpcMessages.Options o = RpcMessages.Options.of(7, "d.log").withPid(300).withLeaveRunning(true);
        byte[] req = RpcMessages.request(RpcMessages.DUMP, o);
        // type=1; opts (field 2, 13 bytes): images_dir_fd=7, pid=300 (0xac 0x02), leave_running=1, log_file="d.log"
        assertThat(req).containsExactly(bytes(0x08, 0x01, 0x12, 0x0e, 0x08, 0x07, 0x10, 0xac, 0x02, 0x18, 0x01,
                0x52, 0x05, 'd', '.', 'l', 'o', 'g'));
    }

    @Test
    void restoreResponseGivesThePid() throws Exception {
        // type=2, success=1, restore{pid=4242}, an unknown field 11 (status) skipped
        byte[] resp = bytes(0x08, 0x02, 0x10, 0x01, 0x22, 0x03, 0x08, 0x92, 0x21, 0x58, 0x00);
        RpcMessages.Response r = RpcMessages.decodeResponse(resp, "test");
        assertThat(r.type()).isEqualTo(RpcMessages.RESTORE);
        assertThat(r.success()).isTrue();
        assertThat(r.restoredPid()).isEqualTo(4242);
        assertThat(r.criuSays()).isEmpty();
    }

    @Test
    void failureCarriesCriusErrnoAndMessage() throws Exception {
        byte[] resp = bytes(0x08, 0x01, 0x10, 0x00, 0x38, 0x03, 0x4a, 0x04, 'o', 'o', 'p', 's');
        RpcMessages.Response r = RpcMessages.decodeResponse(resp, "test");
        assertThat(r.success()).isFalse();
        assertThat(r.criuSays()).isEqualTo("cr_errno 3, cr_errmsg 'oops'");
    }

    @Test
    void malformedResponsesNameTheSourceOffsetAndReason() {
        assertThatThrownBy(() -> RpcMessages.decodeResponse(bytes(0x08, 0x02), "swrk 9's answer"))
                .isInstanceOf(CriuImageFormatException.class)
                .hasMessageContaining("swrk 9's answer")
                .hasMessageContaining("lacks required field success (2)");
        assertThatThrownBy(() -> RpcMessages.decodeResponse(bytes(0x10, 0x01), "r"))
                .hasMessageContaining("lacks required field type (1)");
        assertThatThrownBy(() -> RpcMessages.decodeResponse(bytes(0x08, 0x02, 0x10, 0x01, 0x22, 0x05, 0x08), "r"))
                .hasMessageContaining("at offset 5")
                .hasMessageContaining("runs past the end");
        assertThatThrownBy(() -> RpcMessages.decodeResponse(bytes(0x08, 0x02, 0x10, 0x01, 0x22, 0x00), "r"))
                .hasMessageContaining("criu_restore_resp lacks a positive pid");
        assertThatThrownBy(() -> RpcMessages.decodeResponse(bytes(0x0a, 0x00), "r"))
                .hasMessageContaining("criu_resp.type (1) has wire type 2, expected 0");
        assertThatThrownBy(() -> RpcMessages.decodeResponse(bytes(0xff, 0xff), "r"))
                .hasMessageContaining("truncated varint");
    }
}
