<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="en">
<context>
    <name>ErrorText</name>
    <message>
        <source>the file</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&quot;%1&quot;</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>the device</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Done</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The operation finished without an error.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Nothing to do.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>A setting is not valid</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>A setting is out of range or does not fit another setting.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The setting %1 has a value that cannot be used (%2).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Check the highlighted settings in the Parameters panel.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Use one of: %1.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Internal error</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>FlashVSR Studio hit a state it should never reach.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Save the log (Log panel, Save) and report it with the details below.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Stopped</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The work was stopped before it finished.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Start it again to continue; finished parts are kept.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>File not found</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cannot find %1.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Check that the file still exists, or open it again from its new place.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Empty file</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 is empty (0 bytes).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Copy or download the file again.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Incomplete file</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 ends early: it is incomplete.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Copy or download it again; a cut-off recording can often be repaired by remuxing it.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Damaged file</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 is damaged and cannot be decoded.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 is damaged at frame %2.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Try another copy of the file, or re-encode it first.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cannot read the file</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 exists but cannot be read.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Check the file&apos;s permissions and that the disk is connected.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Format not supported</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 is not a video or picture format FlashVSR Studio can read.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Convert it to MKV or MP4, or to a PNG, EXR or DPX sequence.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Pixel format not supported</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 stores its pictures in a way that cannot be converted to RGB.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 uses the pixel format %2, which cannot be converted to RGB.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Re-encode it to a common format such as 10-bit 4:2:0.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No video in the file</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 contains no video stream.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Choose a file that contains video.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No frames</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 contains no frames.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Choose a video or a folder with numbered pictures.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The input changed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 is not the same file this job was started from.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Start the job again from the beginning.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cannot write the output</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cannot write %1.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Choose an output folder you can write to.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Disk full</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The disk filled up while writing %1.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Free some space or choose another output folder; finished parts were kept.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Output already exists</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 already exists.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Change the output name, or turn on &quot;Replace existing output&quot;.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Encoder not available</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The encoder %1 is not part of this FFmpeg build.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Choose another codec, for example H.264 or FFV1.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Stream cannot be copied</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The output format cannot hold stream %1 (%2) of the input.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Use MKV (it holds every stream), or turn off &quot;Copy other streams&quot;.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Use %1, or turn off &quot;Copy other streams&quot;.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Output check failed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The finished output %1 does not match what was written, so it was not moved into place.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Run the job again; if it happens again, report it with the details.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Encoding failed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The encoder stopped while writing %1.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Try another codec or container.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Model file missing</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The FlashVSR model file %1 is missing.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Download the model files (see README, &quot;Model files&quot;) and set the Model folder, or use a classic upscaler.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Wrong model file</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 is not the FlashVSR file expected here.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Put the right file in the model folder (see README, &quot;Model files&quot;).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Model version mismatch</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 belongs to the other FlashVSR version.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Set Model version to match the files, or download the files of this version.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Damaged model file</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 is damaged (its size or checksum is wrong).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Download it again.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Model format not supported</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 is stored in a format FlashVSR Studio does not read.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Use the model files as published (safetensors or PyTorch .pth).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Model does not match</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 does not match this version of FlashVSR.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 does not match this version of FlashVSR (%2 weights missing, first: %3).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Download it again, or check Model version.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>A weight in %1 has the wrong shape for this FlashVSR.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The weight %2 in %1 has the wrong shape for this FlashVSR.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Device not available</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The device %1 cannot be used.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Pick a GPU listed in the Devices panel, or set Device to cpu.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Out of GPU memory</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1×%2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 ran out of memory upscaling %2.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 ran out of memory (%2 more were needed).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 ran out of memory.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Use the &quot;Low VRAM&quot; preset or Tiny mode, or run the job on a GPU with more memory.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>GPU stopped responding</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 stopped responding during the job.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Check the driver (nvidia-smi) and run the job again; finished parts were kept.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Precision not supported</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 cannot run this precision.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 cannot run %2.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Set Precision to Automatic (fp32 on the CPU, bf16 or fp16 on a GPU).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Saved progress does not match</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The saved progress of this job was made with other settings or model files.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Start the job again from the beginning, or restore the old settings.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Saved progress is damaged</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The saved progress of this job cannot be read.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Unexpected error</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>An error with an unknown code (%1) happened.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Save the log and report it with the details below.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Code: %1 (%2)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Detail: %1</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>Parameters</name>
    <message>
        <source>Upscaler</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>FlashVSR (diffusion video super-resolution) or a classic scaler for a quick, deterministic upscale.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>FlashVSR</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Bicubic (classic)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Lanczos-3 (classic)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Scale</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Upscale factor. FlashVSR is trained for 4x; 2x and 3x run the 4x model on a smaller pre-upscale.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>x</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Model folder</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Folder with the FlashVSR model files. Empty: $FLASHVSR_MODEL_DIR or the default models folder.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Default models folder</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Model version</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Which FlashVSR release the model files are.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>FlashVSR 1.0</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>FlashVSR 1.1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Mode</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Tiny: fast tiny decoder. Tiny-long: the same, streaming with constant memory for long videos. Full: the Wan VAE decoder, best detail, most memory.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Tiny</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Tiny (long video)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Full</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Colour correction</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Matches the output colours to the input. AdaIN is what upstream FlashVSR uses.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>AdaIN</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Wavelet</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>None</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Seed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Noise seed. The same seed and settings give the same output.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Sparse ratio</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Attention sparsity: 1.5 is faster, 2.0 is more stable.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>KV cache ratio</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Length of the temporal key/value cache. Longer keeps more temporal context and uses more memory.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Local range</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Side of the spatial attention window in blocks: 9 or 11.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>blocks</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Attention</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Block-sparse attention kernel (fast, exact), or the plain reference implementation for checking.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Block-sparse</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Reference</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Device</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>auto, cpu, cuda or cuda:N (N = the GPU number in the Devices panel).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Precision</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Number format of the model. Automatic: bf16 on a GPU, fp32 on the CPU.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Automatic</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>bf16</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>fp16</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>fp32</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Tiled VAE</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Full mode: decode the VAE in upstream&apos;s overlapping tiles, for the output of upstream&apos;s tiled runs. The untiled decode here already works frame by frame: tiles take about 2.5x as long and more GPU memory. To save memory, use Tiled processing.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>CPU threads</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>CPU threads for LibTorch and the classic scalers.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>All cores</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Frame limit</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Process at most this many frames (for trials).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>All frames</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>frames</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Output folder</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Where outputs go. Empty: beside each input.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Beside the input</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Output name</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Name of the output without extension. Fields: {name} {scale} {upscaler} {mode} {codec} {format} {date}. The input is never overwritten.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Output type</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>A video file, or a folder of pictures.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Video</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Pictures</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Format</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Video: MKV, MP4 or MOV. Pictures: PNG, DPX or EXR.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>MKV</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>MP4</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>MOV</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>PNG</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>DPX</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>OpenEXR</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Codec</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Video codec of the output.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>H.264</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>H.265 / HEVC</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>AV1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>ProRes 422 HQ</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>ProRes 4444</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>FFV1 (lossless)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Quality</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Encoder quality preset (chooses the CRF for the codec).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Lossless</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Very high</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>High</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Medium</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Small file</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>CRF</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Constant rate factor; overrides the quality preset. Lower is better: 0 to 51 (H.264/H.265), 0 to 63 (AV1).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>From quality</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Bit depth</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Bits per component. Video 8 or 10 (FFV1 also 16), PNG 8 or 16, DPX 10 or 16, EXR 16 (half) or 32 (float).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>As the source</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>8 bit</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>10 bit</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>16 bit</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>32 bit float</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Hardware encoder</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Use NVENC when the GPU has it; otherwise the software encoder is used.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>EXR compression</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Compression of OpenEXR pictures.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>PIZ</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>ZIP</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>DWAA (lossy)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Copy other streams</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Copy audio, subtitles, chapters and attachments bit-exact from the input.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Replace existing output</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Replace an output file that already exists. The input is never replaced.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Sequence frame rate</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Frame rate of an image-sequence input, e.g. 24, 23.976 or 30000/1001. Empty: 30.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>30</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Output frame rate</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Re-time the output to this rate. Empty: the input&apos;s rate.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>As the input</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>HDR handling</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Automatic: tone-map PQ and HLG sources around the model and restore HDR after it. SDR: treat every source as SDR. Tone mapping: always.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Treat as SDR</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Always tone-map</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Tone mapping</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Curve used to bring HDR into the model&apos;s range; inverted exactly afterwards.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Reinhard</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Logarithmic</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>ACES</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Exposure</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Linear gain applied before tone mapping.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Peak luminance</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Peak linear luminance for tone mapping. Automatic: measured once on sampled frames of the job.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Measured</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Model</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Performance &amp; memory</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Output</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>HDR</source>
        <translation type="unfinished">HDR</translation>
    </message>
    <message>
        <source>%1 must be from %2 to %3.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1: &quot;%2&quot; is not one of the choices.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1: &quot;%2&quot; is not a frame rate (try 24, 23.976 or 30000/1001).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Device must be auto, cpu, cuda or cuda:N.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The CPU runs FlashVSR in fp32 only; choose fp32 or Automatic.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Pictures are written as PNG, DPX or EXR.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Videos are written as MKV, MP4 or MOV.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>MP4 cannot hold ProRes or FFV1; use MKV or MOV.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>FFV1 in MOV plays in few players; MKV is safer.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Video is 8 or 10 bit (16 bit only with FFV1).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>CRF for H.264 and H.265 is 0 to 51.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>ProRes and FFV1 ignore the CRF.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>PNG is 8 or 16 bit, DPX 10 or 16, EXR 16 or 32.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Tiled VAE only applies to Full mode.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>FlashVSR was tuned with a local range of 9 or 11.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>FlashVSR is trained for 4x; other factors are softer.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The output name is empty.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Slashes in the output name are replaced by &apos;_&apos;; use the output folder for folders.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Pre-upscale</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Bicubic pre-upscale of the input: as upstream&apos;s inference script (torch), or as the official repository&apos;s PIL path.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Bicubic (torch)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Bicubic (PIL)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>First frame</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>First source frame to process (0 = the start). The viewer&apos;s in point sets it for the job it adds.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>End frame</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Source frame to stop before. The viewer&apos;s out point sets it (out point + 1) for the job it adds.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>To the end</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Unload DiT while decoding</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Move the diffusion model to host memory while the decoder runs. Saves GPU memory in Full mode at some speed.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>GPU memory budget</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>GPU memory the planner may use for automatic tile size and batch. Automatic: the device&apos;s free memory.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>GiB</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Free memory</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Tiled processing</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Run the whole model per spatial tile and blend the tiles without seams. Needed for large frames on small GPUs.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Tile size</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Tile side in input pixels (32 to 4096). Automatic: the fastest tiles that fit the GPU memory budget.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>px</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Tile overlap</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Input pixels shared by neighbouring tiles and blended; must be smaller than the tile size.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Shifted second grid</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Add a second tile grid offset by half a stride and average both: fewer visible tile edges, about twice the work.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Tiles per batch</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Tiles processed by one model call. Automatic: as many as the free GPU memory allows.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>tiles</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Adaptive tile batch</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Halve the tile batch and retry after running out of GPU memory instead of failing the job.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Segment length</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Frames fed to one model run, overlap included. Each finished segment is kept, so a stopped job resumes there. Automatic: 4093 (FlashVSR&apos;s limit).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Segment overlap</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Extra frames fed at each inner segment boundary and dropped at the join, so the model is warmed up there.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Split at scene cuts</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Restart the model&apos;s temporal state at detected scene cuts, so one shot does not bleed into the next.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Scene cut threshold</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Detector score (0 to 1) above which a frame starts a new shot. Lower finds more cuts.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Keep checkpoint</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Keep the finished segments and the manifest after a successful job (normally removed).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Tiling</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Segments &amp; resume</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The end frame must come after the first frame.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The tile overlap must be smaller than the tile size.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>An overlap above half the tile size makes many more tiles for little gain.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>A segment needs at least %1 frames (21 plus twice the segment overlap).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>FlashVSR runs at most %1 frames at a time.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Tile order</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>How a tiled job works through a segment. Frame by frame: every tile of each chunk in turn, frames appear as they are done. Tile by tile: each tile runs through the whole segment with one tile state on the GPU; it uses the least GPU memory, but frames appear only when the segment is done and it needs scratch disk in the job&apos;s work folder. Automatic: the planner picks. Both give the same pictures.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Frame by frame</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Tile by tile</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>PlanReadout</name>
    <message>
        <source>%1 s</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 min %2 s</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 h %2 min</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Open a video to see the prediction.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The frame count is not known yet.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The frame range holds no frames of this input.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>peak GPU memory %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>peak memory %1 (CPU)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>tiles %1 px, %2 per frame, batch %3</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>untiled</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Prediction for %1 frames: %2, temporary disk %3, about %4; %5.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>It does not fit the memory budget even with the smallest tiles.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>tiles %1 px, %2 per frame, tile by tile (scratch disk %3; frames appear when a segment is done)</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>Presets</name>
    <message>
        <source>Fast</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Tiny mode with sparser attention and a shorter cache: quickest FlashVSR, H.264 output.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Low VRAM (8-16 GB)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Long video</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Tiny-long mode streams with constant memory; H.265 in MKV with all other streams copied.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>High quality</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Full mode with the Wan VAE decoder (untiled: no tile seams), stable attention, 10-bit H.265 at very high quality.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>HDR</source>
        <translation type="unfinished">HDR</translation>
    </message>
    <message>
        <source>Tone-maps HDR sources around the model and restores them; 10-bit H.265 in MKV keeps the HDR metadata.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Image sequence</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Writes 16-bit PNG pictures; sequence inputs run at 24 fps.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&quot;%1&quot; must be a number.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&quot;%1&quot; must be true or false.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&quot;%1&quot; must be text.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Not a JSON file (%1 at byte %2).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Not a FlashVSR Studio preset file.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>This preset was written by a newer FlashVSR Studio (version %1).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The preset has no name.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cannot create the folder %1.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cannot write %1: %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Built-in presets cannot be deleted.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cannot delete %1.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cannot read %1: %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Tiny mode, fp16, sparse attention, local range 9 and a short cache, for GPUs with 8 to 16 GB; large frames are cut into the largest tiles that fit.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Multi-GPU</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cuts each job into segments of 240 frames (new ones at scene cuts) that the queue spreads over every idle GPU; the devices the queue may use are ticked in the Devices panel.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>Units</name>
    <message>
        <source>%1 GiB</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 MiB</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 KiB</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>ui::AboutDialog</name>
    <message>
        <source>About FlashVSR Studio</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&lt;h2&gt;FlashVSR Studio %1&lt;/h2&gt;&lt;p&gt;Video super-resolution with FlashVSR (one-step diffusion), plus classic bicubic and Lanczos scalers, for videos and image sequences.&lt;/p&gt;&lt;p&gt;Built with Qt %2, LibTorch, FFmpeg, OpenEXR and QCustomPlot.&lt;/p&gt;</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>ui::AfterQueue</name>
    <message>
        <source>Upscaling videos</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Job failed: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>%n job(s) done</source>
        <translation>
            <numerusform>%n job done</numerusform>
            <numerusform>%n jobs done</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n failed</source>
        <translation>
            <numerusform>%n failed</numerusform>
            <numerusform>%n failed</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n cancelled</source>
        <translation>
            <numerusform>%n cancelled</numerusform>
            <numerusform>%n cancelled</numerusform>
        </translation>
    </message>
    <message>
        <source>The queue is finished</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>FlashVSR Studio quits in %n second(s).</source>
        <translation>
            <numerusform>FlashVSR Studio quits in %n second.</numerusform>
            <numerusform>FlashVSR Studio quits in %n seconds.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>The computer suspends in %n second(s).</source>
        <translation>
            <numerusform>The computer suspends in %n second.</numerusform>
            <numerusform>The computer suspends in %n seconds.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>The computer shuts down in %n second(s).</source>
        <translation>
            <numerusform>The computer shuts down in %n second.</numerusform>
            <numerusform>The computer shuts down in %n seconds.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>&quot;%1&quot; runs in %n second(s).</source>
        <translation>
            <numerusform>&quot;%1&quot; runs in %n second.</numerusform>
            <numerusform>&quot;%1&quot; runs in %n seconds.</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>ui::ComparisonPanel</name>
    <message>
        <source>Open a video first.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Rendering…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Rendering frames %1 to %2 (%3 of %4 fit the preview memory budget)…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Rendering frames %1 to %2…</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>Stopped after %n frame(s).</source>
        <translation>
            <numerusform>Stopped after %n frame.</numerusform>
            <numerusform>Stopped after %n frames.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n frame(s) rendered. Scrub in the viewer to compare them.</source>
        <translation>
            <numerusform>%n frame rendered. Scrub in the viewer to compare it.</numerusform>
            <numerusform>%n frames rendered. Scrub in the viewer to compare them.</numerusform>
        </translation>
    </message>
    <message>
        <source>Preview failed.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Before: Bicubic ×%1 (classic scaler)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>After: %1 ×%2 (classic scaler, not FlashVSR)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Open a video to compare before and after.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Frame %1 has no preview. Rendered: frames %2 to %3.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Split</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Wipe between before and after; drag the divider.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Side by side</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Before and after next to each other, zoomed and panned together.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Toggle</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>One image at a time; press T to switch.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Difference</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Heat map of where before and after differ.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Toggle before/after</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Render preview</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Upscale the in/out range of the viewer for comparison (Ctrl+R).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Stop</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>After:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Lanczos-3 ×%1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Bicubic ×%1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Scaler that renders the &quot;after&quot; side. &quot;Before&quot; is always the source scaled by bicubic.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Gain:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Amplifies differences so small ones become visible.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Planning the region preview…</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>Rendering a %1×%2 region at full settings: frames %3 to %4 after %n warm-up frame(s)…</source>
        <translation>
            <numerusform>Rendering a %1×%2 region at full settings: frames %3 to %4 after %n warm-up frame…</numerusform>
            <numerusform>Rendering a %1×%2 region at full settings: frames %3 to %4 after %n warm-up frames…</numerusform>
        </translation>
    </message>
    <message>
        <source>Region preview stopped.</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>Region %1×%2: %n frame(s) in %3 (%4 fps; model loaded in %5).</source>
        <translation>
            <numerusform>Region %1×%2: %n frame in %3 (%4 fps; model loaded in %5).</numerusform>
            <numerusform>Region %1×%2: %n frames in %3 (%4 fps; model loaded in %5).</numerusform>
        </translation>
    </message>
    <message>
        <source>peak GPU memory %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>peak memory %1 (CPU)</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>Whole job (%n frame(s)): about %1 at %2 fps, temporary disk %3, %4.</source>
        <translation>
            <numerusform>Whole job (%n frame): about %1 at %2 fps, temporary disk %3, %4.</numerusform>
            <numerusform>Whole job (%n frames): about %1 at %2 fps, temporary disk %3, %4.</numerusform>
        </translation>
    </message>
    <message>
        <source>region %1×%2 at %3, %4</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Before: Bicubic ×%1 (classic scaler), %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>After: full settings, %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>After: %1, %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No preview yet. Set in and out points in the viewer (I and O), then press Render preview (Ctrl+R). For FlashVSR at full settings, click a tile of the tile grid (Shift+T) or Ctrl+drag a region in the viewer.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Region frames:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Frames a region preview shows: the current frame and the ones after it. Up to %1 frames before it are rendered first, because FlashVSR needs a run-up.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 s</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>ui::ComparisonWidget</name>
    <message>
        <source>|After − Before| × %1</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>ui::CountdownDialog</name>
    <message>
        <source>The queue is finished</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Do It &amp;Now</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Cancel</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>ui::DeviceListModel</name>
    <message>
        <source>GPU %1: %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 of %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 %</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>n/a</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 °C</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 W</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>GPU</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Memory</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Load</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Temperature</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Power</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Ticked: the queue runs jobs on this GPU.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>ui::DevicePanel</name>
    <message>
        <source>Memory: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Load %1 · %2 · %3</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Memory %</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Load %</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Seconds</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No NVIDIA driver found (%1). FlashVSR will run on the CPU, which is very slow; classic scalers are unaffected.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>NVML not available</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The NVIDIA driver %1 reports no GPU.</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>NVIDIA driver %1 · %n GPU(s)</source>
        <translation>
            <numerusform>NVIDIA driver %1 · %n GPU</numerusform>
            <numerusform>NVIDIA driver %1 · %n GPUs</numerusform>
        </translation>
    </message>
    <message>
        <source>Frames/s</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Current job: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Idle</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Use for the queue</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Jobs of the queue run on the ticked GPUs, one worker each.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>ui::JobQueueModel</name>
    <message>
        <source>%1 / %2 (%3%)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Name</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>State</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Progress</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>fps</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>ETA</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Device</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Output</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Queued</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Running</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Stopping…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Paused</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Done</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Failed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cancelled</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>ui::LogModel</name>
    <message>
        <source>Debug</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Info</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Warning</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Error</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Time</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Level</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Message</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>ui::LogPanel</name>
    <message>
        <source>Save log</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Log files (*.log *.txt)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cannot write %1: %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 and above</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Show messages of this level and above</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Filter messages</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Save…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Save the shown messages to a text file</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Clear</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>ui::MainWindow</name>
    <message>
        <source>Videos and pictures (*.mp4 *.mkv *.mov *.avi *.webm *.m4v *.mxf *.ts *.m2ts *.mts *.mpg *.mpeg *.wmv *.flv *.y4m *.3gp *.png *.jpg *.jpeg *.tif *.tiff *.dpx *.exr *.bmp *.webp);;All files (*)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Copied: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No videos or picture folders found there.</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>Added %n item(s).</source>
        <translation>
            <numerusform>Added %n item.</numerusform>
            <numerusform>Added %n items.</numerusform>
        </translation>
    </message>
    <message>
        <source>Opening %1…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1×%2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 fps</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1-bit</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>HDR</source>
        <translation type="unfinished">HDR</translation>
    </message>
    <message numerus="yes">
        <source>%n frame(s)</source>
        <translation>
            <numerusform>%n frame</numerusform>
            <numerusform>%n frames</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>about %n frame(s)</source>
        <translation>
            <numerusform>about %n frame</numerusform>
            <numerusform>about %n frames</numerusform>
        </translation>
    </message>
    <message>
        <source>%1 — FlashVSR Studio</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cannot open %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Open videos or pictures</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Open a folder (searched for videos and picture sequences)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 no longer exists.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No recent files</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>FlashVSR Studio</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Viewer</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Compare</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Media</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Parameters</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Devices</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Log</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Main toolbar</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;File</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Open &amp;Recent</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;View</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Theme</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Language</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Playback</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Tools</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Help</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Open…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Open videos or pictures (Ctrl+O)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Open &amp;Folder…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Open every video and picture sequence in a folder</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Clear Recent Files</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Copy &amp;Command Line</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Quit</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Viewer</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Compare</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Reset Layout</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Follow the &amp;System</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Dark</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;System Language</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Preferences…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;About FlashVSR Studio</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>About &amp;Qt</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Double-click to view. Drop files or folders on the window to add them; Delete removes the selection.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The queue cannot be saved; see the log.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Settings of %1 loaded; change them, then Apply Current Settings.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Queue finished: %1 done, %2 failed.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Fix the settings marked in the Parameters panel first.</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>Queued %n job(s).</source>
        <translation>
            <numerusform>Queued %n job.</numerusform>
            <numerusform>Queued %n jobs.</numerusform>
        </translation>
    </message>
    <message>
        <source>Open a video or drop files on the queue first.</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>New settings for %n job(s).</source>
        <translation>
            <numerusform>New settings for %n job.</numerusform>
            <numerusform>New settings for %n jobs.</numerusform>
        </translation>
    </message>
    <message>
        <source>Queue</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Queue</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Show &amp;Tile Grid</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Draw the tiles the current tiling settings cut each frame into</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Model Manager…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Which FlashVSR model files are there, verify them, choose the model folder</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Replace the existing output?</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 exists already. Replace it when the job runs?

No leaves this input out of the queue; change the output name to keep both.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Open a video first.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>ui::MediaListModel</name>
    <message>
        <source>Video</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Image sequence</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1×%2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Name</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Type</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Size</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Frames</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>ui::ModelManagerDialog</name>
    <message>
        <source>matches the released file</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>no released checksum to compare with</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>differs from the released file</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Choose the model folder</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Checksums computed.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Computing checksums (reads every byte)…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Present</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Download %1 from %2 into %3</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>FlashVSR %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Complete</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 missing, %2 with problems</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Model Manager</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Model folder:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Default ($FLASHVSR_MODEL_DIR or the models folder)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Use Default</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Verify</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Compute the SHA-256 of every file and compare it with the released files</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>File</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Status</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Size</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>SHA-256</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Where to get it</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>ui::ParameterPanel</name>
    <message>
        <source>Choose a folder</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Output: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Example for an input named clip.mp4</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>(modified)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cannot write %1: %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Save preset</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Preset name:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Import preset</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Presets (*.json)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 cannot be imported: %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Export preset</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Delete preset</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Delete the preset &quot;%1&quot;?</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Preset:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Save the current values as a preset</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Import a preset file (JSON)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Export the current values as a preset file (JSON)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Delete this preset (your presets only)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Copy command line</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Copy the equivalent flashvsr command for the current input to the clipboard</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Range: %1 to %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Command line: --%1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Custom</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>ui::PlayerWidget</name>
    <message>
        <source>%1  (frame %2 of %3)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>In/out: whole clip</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>In %1 · Out %2 (%3 frames)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>▶ %1×</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>◀ %1×</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Play / Pause</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Pause</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Shuttle forward</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Shuttle reverse</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Next frame</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Previous frame</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>First frame</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Last frame</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Set in point</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Set out point</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Go to in point</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Go to out point</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Clear in/out</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Zoom to fit</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Actual size (1:1)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Zoom in</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Zoom out</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Scrub through the clip</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Loop in/out range</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Drop videos or folders of pictures here, or use File › Open.

Wheel: zoom · Drag: pan · Double-click: fit · Ctrl+drag or a click on a tile of the grid: preview that region at full settings</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>ui::PreferencesDialog</name>
    <message>
        <source>Preferences</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Theme:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Follow the system</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Dark</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Language:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>System language</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Viewer cache:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source> frames</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Decoded frames the viewer keeps for quick scrubbing.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Preview memory:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source> MiB</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Memory for rendered comparison frames; longer ranges are cut to fit.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>GPU polling interval:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source> ms</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>ui::PresetListModel</name>
    <message>
        <source>Your preset</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>ui::PreviewRenderer</name>
    <message>
        <source>Bicubic</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Lanczos-3</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>ui::QueuePanel</name>
    <message>
        <source>Add to Queue</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Add the open file(s) with the current settings (or drop files and folders on the table)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Start Queue</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Stop Queue</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Pause the running jobs and start no new ones</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Pause</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Stop the selected jobs, keeping their finished segments</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Resume</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Continue the selected paused jobs from their checkpoints</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Retry</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Run failed or cancelled jobs again, resuming where they stopped</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Remove</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Duplicate</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Move Up</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Move Down</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Load Settings into the Panel</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Show the job&apos;s settings in the Parameters panel to edit them</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Apply Current Settings</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Give the selected jobs the Parameters panel&apos;s settings</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>When the queue is done:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Do nothing</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Quit FlashVSR Studio</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Suspend the computer</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Shut down the computer</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Run a command</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Not available: logind (systemd) cannot be reached on the system bus.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Command, run with /bin/sh -c</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Details</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>ui::ResumeDialog</name>
    <message>
        <source>No checkpoint: starts over</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 / %2 frames (%3%)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Resume interrupted jobs</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>FlashVSR Studio stopped while these jobs were running. Finished segments are kept; ticked jobs continue from their checkpoints, the others stay paused in the queue.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Job</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Checkpoint</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Output</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Resume Ticked</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Keep &amp;Paused</source>
        <translation type="unfinished"></translation>
    </message>
</context>
</TS>
